// scheduler.cpp: runs a launch as fibers (ucontext), one per CUDA thread, and checks that the threads of a block meet at the same barriers.
//
// A pass resumes every live fiber of the block once; each runs until it parks at a
// __syncthreads (ebm_barrier) or returns. When a pass is over, every live thread has finished
// the same barrier interval, which is exactly what a barrier guarantees, so the pass boundary
// is where the sanitizer's epoch advances. Threads that returned take no further part.
//
// Barrier divergence (CUDA leaves it undefined): after a pass, the threads still live must all
// wait at the same __syncthreads (the shim passes each one's source position), and none may have
// returned in that pass while others wait. Either is reported, once per pass, and the block
// carries on as if all had met.
//
// A fatal finding calls abort_launch from deep inside a kernel: it switches straight back to the
// scheduler and the fiber is never resumed; the next launch makes every fiber afresh. Kernels
// own nothing that needs a destructor, so nothing leaks but the abandoned stack frames.
#include "scheduler.h"

#include <ucontext.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cuda_host_shim.h"
#include "sanitizer.h"

dim3 threadIdx;
dim3 blockIdx;
dim3 blockDim;
dim3 gridDim;

namespace ebm::scheduler {
namespace {

/** One CUDA thread of the running block. */
struct Fiber {
    ucontext_t ctx;
    std::unique_ptr<char[]> stack;
    bool done = false;
    const char* site = nullptr;   // the __syncthreads it waits at
};

constexpr size_t kStackBytes = 256 * 1024;
ucontext_t g_scheduler;
std::vector<Fiber> g_fibers;
Fiber* g_current = nullptr;
const KernelEntry* g_kernel;
const Arg* g_args;
bool g_aborted;

void fiber_main() {
    g_kernel->run(g_args);
    g_current->done = true;   // returning resumes uc_link, the scheduler
}

/** "kernels/gemm.cu:111" -> "gemm.cu:111". */
std::string site_name(const char* site) {
    const std::string s(site);
    const size_t slash = s.rfind('/');
    return slash == std::string::npos ? s : s.substr(slash + 1);
}

/** After a pass: the live threads must wait at one barrier, and none may have just returned. */
void check_barrier(int threads, int returned) {
    int first = -1;
    for (int t = 0; t < threads; t++) {
        const Fiber& f = g_fibers[t];
        if (f.done) continue;
        if (first < 0) {
            first = t;
        } else if (f.site != g_fibers[first].site) {
            sanitizer::report_barrier_divergence(
                "thread " + std::to_string(t) + " waits at __syncthreads (" + site_name(f.site) + ") while thread " +
                std::to_string(first) + " waits at another (" + site_name(g_fibers[first].site) + ")");
            break;
        }
    }
    if (first >= 0 && returned >= 0) {
        sanitizer::report_barrier_divergence("thread " + std::to_string(returned) + " returned while thread " +
                                             std::to_string(first) + " waits at __syncthreads (" +
                                             site_name(g_fibers[first].site) + ")");
    }
}

/** Runs the current block to its end; false if the launch was aborted. */
bool run_block(int threads) {
    sanitizer::begin_block();
    for (int t = 0; t < threads; t++) {
        Fiber& f = g_fibers[t];
        f.done = false;
        f.site = nullptr;
        getcontext(&f.ctx);
        f.ctx.uc_stack.ss_sp = f.stack.get();
        f.ctx.uc_stack.ss_size = kStackBytes;
        f.ctx.uc_link = &g_scheduler;
        makecontext(&f.ctx, fiber_main, 0);
    }
    for (int live = threads; live > 0;) {
        live = 0;
        int returned = -1;   // a thread that returned in this pass
        for (int t = 0; t < threads; t++) {
            Fiber& f = g_fibers[t];
            if (f.done) continue;
            g_current = &f;
            threadIdx = dim3{(unsigned)t, 0, 0};
            swapcontext(&g_scheduler, &f.ctx);
            if (g_aborted) return false;
            if (f.done) {
                if (returned < 0) returned = t;
            } else {
                live++;
            }
        }
        if (live > 0) check_barrier(threads, returned);
        sanitizer::end_interval();
    }
    return true;
}

}  // namespace

void run(const KernelEntry& kernel, const Arg* args) {
    const int threads = (int)blockDim.x;
    g_kernel = &kernel;
    g_args = args;
    g_aborted = false;
    if ((int)g_fibers.size() < threads) g_fibers.resize(threads);
    for (int t = 0; t < threads; t++) {
        if (!g_fibers[t].stack) g_fibers[t].stack.reset(new char[kStackBytes]);
    }
    for (unsigned z = 0; z < gridDim.z; z++)
        for (unsigned y = 0; y < gridDim.y; y++)
            for (unsigned x = 0; x < gridDim.x; x++) {
                blockIdx = dim3{x, y, z};
                if (!run_block(threads)) return;
            }
}

void abort_launch() {
    g_aborted = true;
    swapcontext(&g_current->ctx, &g_scheduler);
    __builtin_unreachable();   // the scheduler never resumes an aborted fiber
}

}  // namespace ebm::scheduler

void ebm_barrier(const char* site) {
    using namespace ebm::scheduler;
    g_current->site = site;
    swapcontext(&g_current->ctx, &g_scheduler);
}

unsigned long long ebm_emulator_ns() {
    return (unsigned long long)std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch()).count();
}
