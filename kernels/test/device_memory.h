// device_memory.h: the emulated device's global memory: one reserved address range, bump-allocated and never reused, a shadow byte per 4-byte word.
//
// Like cuMemAlloc, an allocation is NOT initialised: its bytes are 0xFF (a NaN as float, -1 as int)
// and its shadow says "never written" until a kernel, an upload or a memset writes it. Freed
// memory is never handed out again, so a stale pointer (a captured graph replayed after its
// buffer was freed, say) reaches a range whose shadow says "freed" instead of another buffer.
// Allocations start on a fresh page and are followed by an unallocated gap at least as large
// as themselves, so a pointer run past the end of one lands in the gap, not in a neighbour.
#pragma once

#include <stdint.h>

#include <stdexcept>
#include <string>

namespace ebm {

/** A finding in a host-side operation (a transfer or a free): the protocol replies with status 2. */
struct HostFinding : std::runtime_error {
    using std::runtime_error::runtime_error;
};

namespace device_memory {

/** Shadow state of one 4-byte word. */
enum WordState : uint8_t { kUnallocated = 0, kFreed = 1, kUnwritten = 2, kWritten = 3 };

struct Allocation {
    uint32_t id;       // 1, 2, ... in allocation order, as findings name them
    uintptr_t base;
    uint64_t bytes;    // as requested; words past bytes / 4 (rounded up) are unallocated
    bool freed;
    uintptr_t end() const { return base + bytes; }
};

/** The reserved range and its shadow, read inline by the sanitizer's per-access checks. */
struct Arena {
    uintptr_t base = 0;
    uint64_t size = 0;
    uint8_t* shadow = nullptr;
};
extern Arena g_arena;

inline bool in_arena(uintptr_t a) { return a - g_arena.base < g_arena.size; }

/** The shadow byte of the word holding address a (a in the arena). */
inline uint8_t* shadow_of(uintptr_t a) { return g_arena.shadow + ((a - g_arena.base) >> 2); }

/** Reserves the arena (address space only). Call once at start. */
void reserve();

/** A new allocation of `bytes` (0 allowed: an allocation no access may touch); poisoned 0xFF, unwritten. */
uintptr_t allocate(uint64_t bytes);

/** Frees the allocation starting at base; throws HostFinding for anything else (a double free, say). */
void release(uintptr_t base);

/** The allocation (live or freed) whose bytes hold address a, or null (a gap, or outside the arena). */
const Allocation* containing(uintptr_t a);

/**
 * The allocation nearest to a, live or freed: the one holding it, else the nearer of the one ending
 * before it and the one starting after it. Null when none was ever made.
 */
const Allocation* nearest(uintptr_t a);

/** "allocation #7 (256 bytes)", with ", freed" once freed. */
std::string describe(const Allocation& a);

/**
 * Host-side operations (the protocol's W, M, R and C), checked like a kernel's accesses: the range
 * must lie inside one live allocation (else HostFinding); writes mark it written; a read of a word
 * never written is a HostFinding too (the host would get poison, silently); a copy carries the
 * written-ness of its source over.
 */
void host_write(uintptr_t a, uint64_t n, const char* what);
void host_read(uintptr_t a, uint64_t n, const char* what);
void host_copy(uintptr_t dst, uintptr_t src, uint64_t n);

}  // namespace device_memory
}  // namespace ebm
