// scheduler.h: runs a launch on the host, one fiber per CUDA thread, block after block, barrier interval after barrier interval.
#pragma once

#include "kernel_registry.h"

namespace ebm::scheduler {

/**
 * Runs one launch of `kernel` (gridDim and blockDim already set) with `args`: blocks one after
 * another; inside a block, passes over its live threads, each running to its next
 * __syncthreads or its end, until all have ended. Returns early when the launch is aborted.
 */
void run(const KernelEntry& kernel, const Arg* args);

/** Abandons the running launch from inside a kernel (a fatal finding); never returns to it. */
[[noreturn]] void abort_launch();

}  // namespace ebm::scheduler
