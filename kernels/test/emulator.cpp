// emulator.cpp: runs the kernels of kernels/*.cu on the host, one fiber per CUDA thread, for the GPU-less tests (EmulatedDevice).
//
// Build (EmulatedDevice does this, into the build directory):
//   g++ -std=c++17 -O2 -ffp-contract=off -pthread -DEBM_EMULATOR
//       -include kernels/test/cuda_host_shim.h -I kernels -x c++ kernels/test/emulator.cpp -o emulator
// Protocol on stdin/stdout, little-endian, one reply per command (status byte 0 = ok, else
// 1 + u32 length + message):
//   'A' u64 bytes                  -> ok, u64 address (zero-filled, 256-byte aligned)
//   'F' u64 address                -> ok
//   'W' u64 address u64 n bytes[n] -> ok
//   'R' u64 address u64 n          -> ok, bytes[n]
//   'C' u64 dst u64 src u64 n      -> ok (memmove)
//   'L' u16 len name u32 gx gy gz block u32 nargs (u8 kind, u64 payload)*  -> ok
//        kind 0 pointer, 1 int, 2 long long, 3 float (payload low 32 bits)
//   'K'                            -> ok, u32 count, (u16 len, name)* of the registered kernels
//   'N' u32 a u32 b                -> ok, f32 z0, f32 z1: philox_normal_pair(a, b) (edge-case tests)
//   'Q'                            -> exits
// Device addresses are host addresses, so Java-side pointer arithmetic (slices) just works.
// A launch's argument kinds are checked against the C++ parameter types of the kernel, a second
// check of Kernel.java's signatures beside CudaKernelSignatureTest.
#include <ucontext.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <cstdlib>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

dim3 threadIdx;
dim3 blockIdx;
dim3 blockDim;
dim3 gridDim;

namespace {

/** One CUDA thread of the running block. */
struct Fiber {
    ucontext_t ctx;
    std::unique_ptr<char[]> stack;
    bool done = false;
};

constexpr size_t kStackBytes = 256 * 1024;
ucontext_t scheduler;
std::vector<Fiber> fibers;
Fiber* current = nullptr;
std::function<void()> kernel_body;   // the kernel with its arguments bound

void fiber_main() {
    kernel_body();
    current->done = true;   // returning resumes uc_link, the scheduler
}

}  // namespace

void __syncthreads() {
    swapcontext(&current->ctx, &scheduler);
}

unsigned long long ebm_emulator_ns() {
    return (unsigned long long)std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch()).count();
}

#include "adam.cu"
#include "bias_elu.cu"
#include "column_sums.cu"
#include "data.cu"
#include "energy.cu"
#include "gemm.cu"
#include "memory.cu"
#include "sampling.cu"
#include "timer.cu"

namespace {

struct Arg {
    int kind;
    uint64_t payload;
};

template <typename T>
T convert(const Arg& a, size_t index) {
    auto fail = [&](const char* want) {
        throw std::runtime_error("argument " + std::to_string(index) + ": kernel takes " + want +
                                 ", given kind " + std::to_string(a.kind));
    };
    if constexpr (std::is_pointer_v<T>) {
        if (a.kind != 0) fail("a pointer");
        return reinterpret_cast<T>((uintptr_t)a.payload);
    } else if constexpr (std::is_same_v<T, int>) {
        if (a.kind != 1) fail("int");
        return (int)(uint32_t)a.payload;
    } else if constexpr (std::is_same_v<T, long long> || std::is_same_v<T, unsigned long long>) {
        if (a.kind != 2) fail("long long");
        return (T)a.payload;
    } else if constexpr (std::is_same_v<T, float>) {
        if (a.kind != 3) fail("float");
        uint32_t bits = (uint32_t)a.payload;
        float f;
        memcpy(&f, &bits, 4);
        return f;
    } else {
        static_assert(sizeof(T) == 0, "unsupported kernel parameter type");
    }
}

using Runner = std::function<void(const std::vector<Arg>&)>;

/**
 * Runs the current launch (gridDim, blockDim) of fn: blocks one after another; inside a block,
 * passes over its live fibers, each running to its next __syncthreads or its end.
 */
template <typename Tuple, typename Fn>
void run_grid(Fn fn, const Tuple& args) {
    const int threads = (int)blockDim.x;
    kernel_body = [&] { std::apply(fn, args); };
    if ((int)fibers.size() < threads) fibers.resize(threads);
    for (int t = 0; t < threads; t++) {
        if (!fibers[t].stack) fibers[t].stack.reset(new char[kStackBytes]);
    }
    for (unsigned z = 0; z < gridDim.z; z++)
        for (unsigned y = 0; y < gridDim.y; y++)
            for (unsigned x = 0; x < gridDim.x; x++) {
                blockIdx = dim3{x, y, z};
                for (int t = 0; t < threads; t++) {
                    Fiber& f = fibers[t];
                    f.done = false;
                    getcontext(&f.ctx);
                    f.ctx.uc_stack.ss_sp = f.stack.get();
                    f.ctx.uc_stack.ss_size = kStackBytes;
                    f.ctx.uc_link = &scheduler;
                    makecontext(&f.ctx, fiber_main, 0);
                }
                for (int live = threads; live > 0;) {
                    live = 0;
                    for (int t = 0; t < threads; t++) {
                        Fiber& f = fibers[t];
                        if (f.done) continue;
                        current = &f;
                        threadIdx = dim3{(unsigned)t, 0, 0};
                        swapcontext(&scheduler, &f.ctx);
                        if (!f.done) live++;
                    }
                }
            }
}

template <typename... A, size_t... I>
Runner make_runner(void (*fn)(A...), std::index_sequence<I...>) {
    return [fn](const std::vector<Arg>& argv) {
        if (argv.size() != sizeof...(A))
            throw std::runtime_error("kernel takes " + std::to_string(sizeof...(A)) + " arguments, given " +
                                     std::to_string(argv.size()));
        std::tuple<A...> args{convert<A>(argv[I], I)...};
        run_grid(fn, args);
    };
}

template <typename... A>
Runner runner(void (*fn)(A...)) {
    return make_runner(fn, std::index_sequence_for<A...>{});
}

std::map<std::string, Runner>& kernels() {
    static std::map<std::string, Runner> k = {
        {"gemm_64x64", runner(gemm_64x64)},
        {"gemm_32x32", runner(gemm_32x32)},
        {"gemm_splitk_reduce", runner(gemm_splitk_reduce)},
        {"bias_elu", runner(bias_elu)},
        {"add_bias", runner(add_bias)},
        {"elu_backward", runner(elu_backward)},
        {"column_sums", runner(column_sums)},
        {"energy_grad", runner(energy_grad)},
        {"hybrid_loss_grad", runner(hybrid_loss_grad)},
        {"uniform_fill", runner(uniform_fill)},
        {"langevin_update", runner(langevin_update)},
        {"add_noise", runner(add_noise)},
        {"clamp", runner(clamp)},
        {"gather_rows", runner(gather_rows)},
        {"scatter_rows", runner(scatter_rows)},
        {"increment", runner(increment)},
        {"adam_step", runner(adam_step)},
        {"fill", runner(fill)},
        {"timer_mark", runner(timer_mark)},
    };
    return k;
}

void read_exact(void* p, size_t n) {
    if (n > 0 && fread(p, 1, n, stdin) != n) exit(0);   // the test side went away
}

template <typename T>
T read_le() {
    T v;
    read_exact(&v, sizeof v);   // x86-64 is little-endian
    return v;
}

void write_exact(const void* p, size_t n) {
    if (n > 0 && fwrite(p, 1, n, stdout) != n) exit(0);
}

void ok() {
    uint8_t s = 0;
    write_exact(&s, 1);
}

void error(const std::string& msg) {
    uint8_t s = 1;
    uint32_t len = (uint32_t)msg.size();
    write_exact(&s, 1);
    write_exact(&len, 4);
    write_exact(msg.data(), len);
}

}  // namespace

int main() {
    for (;;) {
        int op = fgetc(stdin);
        if (op == EOF || op == 'Q') return 0;
        try {
            switch (op) {
                case 'A': {
                    uint64_t bytes = read_le<uint64_t>();
                    size_t size = (size_t)((bytes + 255) / 256 * 256);
                    if (size == 0) size = 256;
                    void* p = aligned_alloc(256, size);
                    if (p == nullptr) throw std::runtime_error("out of host memory");
                    memset(p, 0, size);
                    ok();
                    uint64_t a = (uint64_t)(uintptr_t)p;
                    write_exact(&a, 8);
                    break;
                }
                case 'F': {
                    free((void*)(uintptr_t)read_le<uint64_t>());
                    ok();
                    break;
                }
                case 'W': {
                    uint64_t a = read_le<uint64_t>(), n = read_le<uint64_t>();
                    read_exact((void*)(uintptr_t)a, (size_t)n);
                    ok();
                    break;
                }
                case 'R': {
                    uint64_t a = read_le<uint64_t>(), n = read_le<uint64_t>();
                    ok();
                    write_exact((const void*)(uintptr_t)a, (size_t)n);
                    break;
                }
                case 'C': {
                    uint64_t d = read_le<uint64_t>(), s = read_le<uint64_t>(), n = read_le<uint64_t>();
                    memmove((void*)(uintptr_t)d, (const void*)(uintptr_t)s, (size_t)n);
                    ok();
                    break;
                }
                case 'L': {
                    uint16_t len = read_le<uint16_t>();
                    std::string name(len, '\0');
                    read_exact(&name[0], len);
                    gridDim = dim3{read_le<uint32_t>(), read_le<uint32_t>(), read_le<uint32_t>()};
                    blockDim = dim3{read_le<uint32_t>(), 1, 1};
                    uint32_t nargs = read_le<uint32_t>();
                    std::vector<Arg> args(nargs);
                    for (auto& a : args) {
                        a.kind = read_le<uint8_t>();
                        a.payload = read_le<uint64_t>();
                    }
                    auto it = kernels().find(name);
                    if (it == kernels().end()) throw std::runtime_error("no kernel named " + name);
                    if (blockDim.x < 1 || blockDim.x > 1024 || gridDim.x < 1 || gridDim.y < 1 || gridDim.z < 1)
                        throw std::runtime_error("bad launch shape for " + name);
                    try {
                        it->second(args);
                    } catch (const std::exception& e) {
                        throw std::runtime_error(name + ": " + e.what());
                    }
                    ok();
                    break;
                }
                case 'N': {
                    uint32_t a = read_le<uint32_t>(), b = read_le<uint32_t>();
                    float z[2];
                    philox_normal_pair(a, b, &z[0], &z[1]);
                    ok();
                    write_exact(z, 8);
                    break;
                }
                case 'K': {
                    ok();
                    uint32_t n = (uint32_t)kernels().size();
                    write_exact(&n, 4);
                    for (auto& kv : kernels()) {
                        uint16_t len = (uint16_t)kv.first.size();
                        write_exact(&len, 2);
                        write_exact(kv.first.data(), len);
                    }
                    break;
                }
                default:
                    error("unknown command " + std::to_string(op));
                    fflush(stdout);
                    return 2;
            }
        } catch (const std::exception& e) {
            error(e.what());
        }
        fflush(stdout);
    }
}
