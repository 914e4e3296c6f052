// sanitizer.h: checks every load and store of the kernels (the __tsan_* hooks GCC calls from kernels.o) and collects the findings of a launch.
#pragma once

#include <stdint.h>

#include <map>
#include <string>
#include <vector>

#include "kernel_registry.h"

namespace ebm::sanitizer {

/** Starts a launch: findings name `kernel`, its parameters by `param_names` (may be empty) and `args`. */
void begin_launch(const KernelEntry& kernel, const std::vector<std::string>& param_names, const Arg* args);

/** The scheduler starts a block: its shared memory counts as not yet written. */
void begin_block();

/** The scheduler ends a barrier interval: every live thread of the block reached a barrier or returned. */
void end_interval();

/** The scheduler saw threads of the current block part ways at a barrier; `what` says how. */
void report_barrier_divergence(const std::string& what);

struct Outcome {
    uint64_t findings = 0;
    bool aborted = false;
    /** Empty without findings, else a header line and one line per finding (the first few). */
    std::string text;
};

/** Ends the launch and says what it found. */
Outcome end_launch();

/** Per kernel, over the emulator's life: what ran and what was checked. */
struct KernelStats {
    uint64_t launches = 0;          // launches run to the end (not aborted)
    uint64_t findings = 0;
    uint64_t blocks = 0;
    uint64_t global_accesses = 0;   // loads and stores of device memory checked
    uint64_t shared_accesses = 0;   // loads and stores of shared memory checked
};

const std::map<std::string, KernelStats>& stats();

}  // namespace ebm::sanitizer
