// kernels.cpp: the one translation unit the sanitizer instruments: every kernel of kernels/*.cu, the planted bugs of planted.cu, and a trampoline per kernel.
//
// Built with `g++ -fsanitize=thread --param tsan-instrument-func-entry-exit=0 -c` and linked
// WITHOUT libtsan: GCC then calls __tsan_read4(addr), __tsan_write4(addr) (and the 1, 2, 8 and
// 16 byte and unaligned variants) before every load and store that survives optimisation,
// constant-index accesses to statics included, and sanitizer.cpp supplies those functions.
// The rest of the emulator (scheduler, protocol, sanitizer) is compiled without instrumentation.
//
// Nothing but kernels may live here: shared_memory.ld takes ALL writable data of this object
// file to be __shared__ memory (the function-local statics of cuda_host_shim.h), so this file
// defines no variables of its own; kernel_entries() builds its table on the heap.
#include "cuda_host_shim.h"

#include <stddef.h>

#include <type_traits>
#include <utility>

#include "kernel_registry.h"

#include "adam.cu"
#include "bias_elu.cu"
#include "column_sums.cu"
#include "data.cu"
#include "energy.cu"
#include "gemm.cu"
#include "images.cu"
#include "memory.cu"
#include "sampling.cu"
#include "timer.cu"

#include "planted.cu"

namespace {

template <typename T>
constexpr ebm::ArgKind kind_of() {
    if constexpr (std::is_pointer_v<T>) {
        return ebm::kPtr;
    } else if constexpr (std::is_same_v<T, int>) {
        return ebm::kI32;
    } else if constexpr (std::is_same_v<T, long long> || std::is_same_v<T, unsigned long long>) {
        return ebm::kI64;
    } else if constexpr (std::is_same_v<T, float>) {
        return ebm::kF32;
    } else {
        static_assert(sizeof(T) == 0, "unsupported kernel parameter type");
    }
}

template <typename T>
constexpr unsigned pointee_bytes() {
    if constexpr (std::is_pointer_v<T>) {
        return sizeof(std::remove_pointer_t<T>);
    } else {
        return 0;
    }
}

/** The argument as the C++ parameter type; its kind was checked against kind_of<T>() before the launch. */
template <typename T>
T from_arg(const ebm::Arg& a) {
    if constexpr (std::is_pointer_v<T>) {
        return reinterpret_cast<T>((uintptr_t)a.payload);
    } else if constexpr (std::is_same_v<T, float>) {
        const uint32_t bits = (uint32_t)a.payload;
        float f;
        memcpy(&f, &bits, 4);
        return f;
    } else {
        return (T)a.payload;   // int: the low 32 bits; long long: all 64
    }
}

template <typename... A, size_t... I>
void call(void (*kernel)(A...), const ebm::Arg* args, std::index_sequence<I...>) {
    kernel(from_arg<A>(args[I])...);
}

template <typename... A>
constexpr size_t arity(void (*)(A...)) {
    return sizeof...(A);
}

template <auto Kernel>
void run(const ebm::Arg* args) {
    call(Kernel, args, std::make_index_sequence<arity(Kernel)>{});
}

template <auto Kernel, typename... A>
ebm::KernelEntry entry(const char* name, bool planted, void (*)(A...)) {
    return {name, planted, {kind_of<A>()...}, {pointee_bytes<A>()...}, &run<Kernel>};
}

}  // namespace

#define EBM_KERNEL(k) entry<k>(#k, false, k)
#define EBM_PLANTED(k) entry<k>(#k, true, k)

std::vector<ebm::KernelEntry> ebm::kernel_entries() {
    return {
        EBM_KERNEL(gemm_64x64),
        EBM_KERNEL(gemm_32x32),
        EBM_KERNEL(gemm_splitk_reduce),
        EBM_KERNEL(bias_elu),
        EBM_KERNEL(add_bias),
        EBM_KERNEL(elu_backward),
        EBM_KERNEL(column_sums),
        EBM_KERNEL(energy_grad),
        EBM_KERNEL(hybrid_loss_grad),
        EBM_KERNEL(uniform_fill),
        EBM_KERNEL(langevin_update),
        EBM_KERNEL(add_noise),
        EBM_KERNEL(clamp),
        EBM_KERNEL(gather_rows),
        EBM_KERNEL(scatter_rows),
        EBM_KERNEL(increment),
        EBM_KERNEL(adam_step),
        EBM_KERNEL(fill),
        EBM_KERNEL(timer_mark),
        EBM_KERNEL(im2col),
        EBM_KERNEL(col2im),
        EBM_KERNEL(shift_images),
        EBM_PLANTED(planted_store),
        EBM_PLANTED(planted_neighbour_sum),
        EBM_PLANTED(planted_accumulate),
        EBM_PLANTED(planted_shift_left),
        EBM_PLANTED(planted_shift_right),
        EBM_PLANTED(planted_pair_slots),
        EBM_PLANTED(planted_half_tile),
        EBM_PLANTED(planted_barrier),
        EBM_PLANTED(planted_spin),
    };
}
