// kernel_registry.h: the kernels compiled into the emulator, as the scheduler and the protocol see them (defined in kernels.cpp).
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

namespace ebm {

/** Argument kinds on the wire and in KernelEntry::kinds: what Kernel.java calls ptr, i32, i64, f32. */
enum ArgKind : uint8_t { kPtr = 0, kI32 = 1, kI64 = 2, kF32 = 3 };

/** One launch argument as the protocol carries it: its kind and 64 payload bits (a float in the low 32). */
struct Arg {
    uint8_t kind;
    uint64_t payload;
};

struct KernelEntry {
    std::string name;
    /** kernels/test/planted.cu: a deliberate bug (or its fix) for the sanitizer's own tests. */
    bool planted;
    /** Parameter kinds, from the C++ parameter types. */
    std::vector<ArgKind> kinds;
    /** Per parameter, sizeof the pointee for pointers (the unit of the index in findings), else 0. */
    std::vector<unsigned> pointee_bytes;
    /** Runs the kernel body once, as the current CUDA thread; args match kinds (checked before). */
    void (*run)(const Arg* args);
};

/** Every kernel of kernels/ (the .cu files) and of kernels/test/planted.cu. */
std::vector<KernelEntry> kernel_entries();

}  // namespace ebm
