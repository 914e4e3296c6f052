// device_memory.cpp: the emulated device's global memory (see device_memory.h): reservation, allocation, free, and the checks of host-side transfers.
//
// The arena is one PROT_NONE, MAP_NORESERVE reservation: only live allocations are mapped
// read-write, freed ones go back to PROT_NONE (and give their pages back), so even an access the
// sanitizer does not see (there should be none) faults instead of reading stale data. The shadow
// is a MAP_NORESERVE mapping a quarter of the arena's size; only the pages behind allocations
// are ever touched.
#include "device_memory.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <algorithm>
#include <vector>

namespace ebm::device_memory {

Arena g_arena;

namespace {

constexpr uint64_t kArenaBytes = 256ull << 30;   // address space, not memory
constexpr uint64_t kPage = 4096;
constexpr uint64_t kLeadIn = 1ull << 20;          // unallocated below the first allocation
constexpr uint64_t kMinGap = 64ull << 10;         // unallocated after each allocation, at least

std::vector<Allocation> allocations;   // in allocation order, which is address order
uintptr_t cursor;

uint64_t round_up(uint64_t v, uint64_t to) { return (v + to - 1) / to * to; }

/** The mapped span of an allocation: whole pages, at least one. */
uint64_t span(uint64_t bytes) { return round_up(bytes == 0 ? 1 : bytes, kPage); }

/** Word-rounded end: the shadow has one state per 4-byte word. */
uintptr_t word_end(const Allocation& a) { return a.base + round_up(a.bytes, 4); }

void set_words(uintptr_t a, uint64_t n, WordState s) {
    if (n == 0) return;
    const uintptr_t first = a >> 2, last = (a + n - 1) >> 2;
    memset(shadow_of(a), s, last - first + 1);
}

Allocation* find_mutable(uintptr_t a) {
    auto it = std::upper_bound(allocations.begin(), allocations.end(), a,
                               [](uintptr_t x, const Allocation& al) { return x < al.base; });
    if (it == allocations.begin()) return nullptr;
    --it;
    return a < word_end(*it) ? &*it : nullptr;
}

std::string hex(uintptr_t a) {
    char buf[32];
    snprintf(buf, sizeof buf, "0x%lx", (unsigned long)a);
    return buf;
}

/** "allocation #3 (400 bytes) + 8", or the raw address when no allocation holds it. */
std::string where(uintptr_t a) {
    const Allocation* al = nearest(a);
    if (al == nullptr) return hex(a) + " (no allocation was ever made)";
    return describe(*al) + (a >= al->base ? " + " + std::to_string(a - al->base)
                                          : " - " + std::to_string(al->base - a));
}

/** The live allocation that holds all of [a, a + n), else a HostFinding naming what is wrong. */
const Allocation& live_range(uintptr_t a, uint64_t n, const char* what) {
    const std::string head = std::string(what) + " of " + std::to_string(n) + " bytes at " + where(a);
    const Allocation* al = find_mutable(a);
    if (al == nullptr) throw HostFinding(head + ": outside every allocation");
    if (al->freed) throw HostFinding(head + ": use after free");
    if (a + n > al->end()) {
        throw HostFinding(head + ": runs " + std::to_string(a + n - al->end()) + " bytes past the end");
    }
    return *al;
}

}  // namespace

void reserve() {
    void* arena = mmap(nullptr, kArenaBytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    void* shadow = mmap(nullptr, kArenaBytes / 4, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (arena == MAP_FAILED || shadow == MAP_FAILED) {
        throw std::runtime_error("cannot reserve the emulated device's address space");
    }
    g_arena.base = (uintptr_t)arena;
    g_arena.size = kArenaBytes;
    g_arena.shadow = (uint8_t*)shadow;
    cursor = g_arena.base + kLeadIn;
}

uintptr_t allocate(uint64_t bytes) {
    const uint64_t mapped = span(bytes);
    const uint64_t gap = std::max(kMinGap, mapped);
    if (bytes > g_arena.size || cursor + mapped + gap > g_arena.base + g_arena.size) {
        throw std::runtime_error("emulated device: out of address space allocating " + std::to_string(bytes) +
                                 " bytes (addresses are never reused)");
    }
    const uintptr_t base = cursor;
    if (mprotect((void*)base, mapped, PROT_READ | PROT_WRITE) != 0) {
        throw std::runtime_error("emulated device: out of host memory allocating " + std::to_string(bytes) + " bytes");
    }
    memset((void*)base, 0xFF, bytes);   // poison: a float NaN, an int -1
    set_words(base, bytes, kUnwritten);
    allocations.push_back({(uint32_t)allocations.size() + 1, base, bytes, false});
    cursor = base + mapped + gap;
    return base;
}

void release(uintptr_t base) {
    Allocation* al = find_mutable(base);
    if (al == nullptr || al->base != base) {
        throw HostFinding("free of " + where(base) + ": not the start of an allocation");
    }
    if (al->freed) throw HostFinding("double free of " + describe(*al));
    al->freed = true;
    set_words(base, al->bytes, kFreed);
    madvise((void*)base, span(al->bytes), MADV_DONTNEED);
    mprotect((void*)base, span(al->bytes), PROT_NONE);
}

const Allocation* containing(uintptr_t a) { return find_mutable(a); }

const Allocation* nearest(uintptr_t a) {
    if (allocations.empty()) return nullptr;
    auto it = std::upper_bound(allocations.begin(), allocations.end(), a,
                               [](uintptr_t x, const Allocation& al) { return x < al.base; });
    if (it == allocations.begin()) return &*it;              // before the first
    const Allocation& before = *(it - 1);
    if (a < word_end(before) || it == allocations.end()) return &before;
    return a - word_end(before) <= it->base - a ? &before : &*it;
}

std::string describe(const Allocation& a) {
    return "allocation #" + std::to_string(a.id) + " (" + std::to_string(a.bytes) + " bytes" +
           (a.freed ? ", freed)" : ")");
}

void host_write(uintptr_t a, uint64_t n, const char* what) {
    if (n == 0) return;
    live_range(a, n, what);
    set_words(a, n, kWritten);
}

void host_read(uintptr_t a, uint64_t n, const char* what) {
    if (n == 0) return;
    const Allocation& al = live_range(a, n, what);
    const uint8_t* s = shadow_of(a);
    const uint64_t words = ((a + n - 1) >> 2) - (a >> 2) + 1;
    uint64_t unwritten = 0, first = 0;
    for (uint64_t w = 0; w < words; w++) {
        if (s[w] != kWritten && unwritten++ == 0) first = w;
    }
    if (unwritten > 0) {
        throw HostFinding(std::string(what) + " of " + std::to_string(n) + " bytes at " + where(a) +
                          ": reads never-written device memory, " + std::to_string(unwritten) +
                          " word(s), the first at byte " + std::to_string(((a >> 2) + first) * 4 - al.base) +
                          " of the allocation");
    }
}

void host_copy(uintptr_t dst, uintptr_t src, uint64_t n) {
    if (n == 0) return;
    live_range(src, n, "copy from");
    live_range(dst, n, "copy to");
    if (dst % 4 == 0 && src % 4 == 0 && n % 4 == 0) {
        memmove(shadow_of(dst), shadow_of(src), n / 4);   // written-ness travels with the data
        return;
    }
    // Unaligned (the backend never does this): the destination counts as written only if all of
    // the source was.
    const uint8_t* s = shadow_of(src);
    bool all = true;
    for (uint64_t w = 0; w <= ((src + n - 1) >> 2) - (src >> 2); w++) all = all && s[w] == kWritten;
    set_words(dst, n, all ? kWritten : kUnwritten);
}

}  // namespace ebm::device_memory
