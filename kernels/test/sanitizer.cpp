// sanitizer.cpp: the checks behind every load and store of a kernel: device memory against live allocations, shared memory against races; findings in words.
//
// kernels.o is compiled with -fsanitize=thread but linked without libtsan, so the __tsan_*
// functions GCC calls before each access are the ones defined at the bottom of this file. An
// access outside the device arena and the shared section (the fiber's stack, the emulator's own
// memory) returns after two compares; inside, the common case (one word, nothing to report) is
// one shadow lookup inline and the rest goes out of line. What is checked:
//
//  * Device memory (device_memory.h): each 4-byte word of an access must belong to a live
//    allocation. A word never allocated (a gap: out of bounds) or freed (use after free) is FATAL,
//    as it would be on a GPU: the access is not made and the launch is abandoned. A read of a word
//    that nothing ever wrote is reported and the launch goes on (the value is the 0xFF poison).
//  * Null pointers: any access below 4 GiB, where nothing is mapped, is fatal.
//  * Shared memory (shared_memory.h), as compute-sanitizer's racecheck: per word, the last write
//    (epoch, thread) and the reads of the current epoch (a thread, or several). An epoch is one
//    barrier interval of one block (the scheduler ends it); two accesses to a word in one epoch
//    by different threads, at least one a write, are a race: read after write, write after read,
//    write after write. A read of a word no thread of the block has written yet is reported too
//    (shared memory starts undefined on a GPU; here it would hold an earlier block's data).
//
// Non-fatal findings do not stop the launch; every finding fails it (the protocol's status 2).
#include "sanitizer.h"

#include <stdio.h>

#include "device_memory.h"
#include "scheduler.h"
#include "shared_memory.h"

#include "cuda_host_shim.h"

namespace ebm::sanitizer {
namespace {

namespace dm = ebm::device_memory;
namespace sm = ebm::shared_memory;

constexpr uintptr_t kNullRegion = 1ull << 32;   // nothing is mapped this low in a PIE process
constexpr size_t kMaxLines = 8;                 // findings shown in full per launch

const KernelEntry* g_kernel;
const std::vector<std::string>* g_params;
const Arg* g_args;

uint64_t g_epoch = 1;         // the current barrier interval; never repeats
uint64_t g_block_epoch = 1;   // the first interval of the current block
uint64_t g_global_accesses, g_shared_accesses, g_blocks;

/** The kinds of finding, for the per-launch summary. */
enum Kind { kOutOfBounds, kUseAfterFree, kNullPointer, kUnwrittenGlobal, kRace, kUnwrittenShared, kDivergence, kKinds };
const char* const kKindNames[kKinds] = {"out-of-bounds access", "use after free", "null pointer",
                                        "read of never-written device memory", "shared-memory race",
                                        "read of unwritten shared memory", "barrier divergence"};

struct Report {
    std::vector<std::string> lines;
    uint64_t count = 0;
    uint64_t per_kind[kKinds] = {};
    bool aborted = false;
} g_report;

std::map<std::string, KernelStats> g_stats;

std::string hex(uintptr_t a) {
    char buf[32];
    snprintf(buf, sizeof buf, "0x%lx", (unsigned long)a);
    return buf;
}

std::string block_text() {
    return "block (" + std::to_string(blockIdx.x) + "," + std::to_string(blockIdx.y) + "," +
           std::to_string(blockIdx.z) + ")";
}

std::string thread_text() { return block_text() + " thread " + std::to_string(threadIdx.x); }

void add(Kind kind, std::string line) {
    g_report.count++;
    g_report.per_kind[kind]++;
    if (g_report.lines.size() < kMaxLines) g_report.lines.push_back(g_kernel->name + ": " + std::move(line));
}

/** Records a fatal finding and abandons the launch: the access is never made. */
[[noreturn]] void fatal(Kind kind, std::string line) {
    add(kind, std::move(line));
    g_report.aborted = true;
    scheduler::abort_launch();
}

std::string param_name(size_t i) {
    if (g_params != nullptr && i < g_params->size()) return (*g_params)[i];
    return "argument " + std::to_string(i);
}

/** name[index] for `a` relative to parameter i's pointer, in units of its pointee type. */
std::string element(size_t i, uintptr_t a) {
    const uintptr_t p = (uintptr_t)g_args[i].payload;
    const int64_t off = (int64_t)(a - p);
    const int64_t unit = g_kernel->pointee_bytes[i] == 0 ? 1 : g_kernel->pointee_bytes[i];
    if (off % unit == 0) return param_name(i) + "[" + std::to_string(off / unit) + "]";
    return param_name(i) + " + " + std::to_string(off) + " bytes";
}

/**
 * The pointer parameter through which `a` was most likely reached: one pointing into `al` (its end
 * included, for empty slices), the highest at or below `a`, else the lowest. -1 if none.
 */
int parameter_into(const dm::Allocation* al, uintptr_t a) {
    int best = -1;
    for (size_t i = 0; i < g_kernel->kinds.size(); i++) {
        if (g_kernel->kinds[i] != kPtr) continue;
        const uintptr_t p = (uintptr_t)g_args[i].payload;
        if (al == nullptr || p < al->base || p > al->end()) continue;
        if (best < 0) {
            best = (int)i;
            continue;
        }
        const uintptr_t b = (uintptr_t)g_args[best].payload;
        const bool pBelow = p <= a, bBelow = b <= a;
        if ((pBelow && (!bBelow || p > b)) || (!pBelow && !bBelow && p < b)) best = (int)i;
    }
    return best;
}

/** "table[12] (table = allocation #4 (48 bytes) + 0" -- the caller closes the parenthesis. */
std::string global_place(const dm::Allocation* al, uintptr_t a) {
    if (al == nullptr) return hex(a) + " (outside every allocation";
    const int i = parameter_into(al, a);
    if (i < 0) {
        return dm::describe(*al) + " + " + std::to_string((int64_t)(a - al->base)) +
               " (no parameter of the kernel points into it";
    }
    const uintptr_t p = (uintptr_t)g_args[i].payload;
    return element(i, a) + " (" + param_name(i) + " = " + dm::describe(*al) + " + " + std::to_string(p - al->base);
}

const char* verb(bool write) { return write ? "write" : "read"; }

[[noreturn]] __attribute__((noinline)) void bad_global(uintptr_t a, unsigned size, bool write, uint8_t state) {
    const std::string what = std::string(verb(write)) + " of " + std::to_string(size) + " bytes at ";
    if (state == dm::kFreed) {
        fatal(kUseAfterFree, "use after free: " + what + global_place(dm::containing(a), a) + "), " + thread_text());
    }
    const dm::Allocation* al = dm::nearest(a);
    std::string distance;
    if (al != nullptr) {
        const uintptr_t end = al->base + (al->bytes + 3) / 4 * 4;
        distance = a >= end ? "; " + std::to_string(a - end) + " bytes past its end"
                            : "; " + std::to_string(al->base - a) + " bytes before its start";
    }
    fatal(kOutOfBounds, "out-of-bounds " + what + global_place(al, a) + distance + "), " + thread_text());
}

[[noreturn]] __attribute__((noinline)) void null_access(uintptr_t a, unsigned size, bool write) {
    std::string place = "address " + hex(a);
    for (size_t i = 0; i < g_kernel->kinds.size(); i++) {
        if (g_kernel->kinds[i] == kPtr && g_args[i].payload == 0) {
            place = element(i, a) + " (" + param_name(i) + " is null)";
            break;
        }
    }
    fatal(kNullPointer, "null pointer: " + std::string(verb(write)) + " of " + std::to_string(size) + " bytes at " + place +
          ", " + thread_text());
}

__attribute__((noinline)) void unwritten_global(uintptr_t a, unsigned size) {
    add(kUnwrittenGlobal, "read of never-written device memory: " + std::to_string(size) + " bytes at " +
        global_place(dm::containing(a), a) + "), " + thread_text());
}

/** Several words, or a word not live-and-written: the checks in full (and any finding). */
__attribute__((noinline)) void global_access_slow(uintptr_t a, unsigned size, bool write) {
    uint8_t* s = dm::shadow_of(a);
    const unsigned words = (unsigned)(((a + size - 1) >> 2) - (a >> 2)) + 1;
    for (unsigned w = 0; w < words; w++) {
        if (s[w] < dm::kUnwritten) bad_global(a, size, write, s[w]);
    }
    if (write) {
        for (unsigned w = 0; w < words; w++) s[w] = dm::kWritten;
    } else {
        for (unsigned w = 0; w < words; w++) {
            if (s[w] == dm::kUnwritten) {
                unwritten_global(a, size);
                break;
            }
        }
    }
}

/** The common case inline (one word, already written), the rest out of line. */
inline void global_access(uintptr_t a, unsigned size, bool write) {
    g_global_accesses++;
    if ((a & 3) + size <= 4 && *dm::shadow_of(a) == dm::kWritten) return;
    global_access_slow(a, size, write);
}

/** "tile[3] (shared planted_shift_left::tile, 1024 bytes)". */
std::string shared_place(uintptr_t a, unsigned size) {
    const sm::Variable* v = sm::variable_at(a);
    if (v == nullptr) return "shared memory + " + std::to_string(a - sm::g_section.base);
    const uint64_t off = a - v->base;
    const std::string index = off % size == 0 ? "[" + std::to_string(off / size) + "]"
                                              : " + " + std::to_string(off) + " bytes";
    return v->name + index + " (shared " + v->qualified + ", " + std::to_string(v->bytes) + " bytes)";
}

std::string thread_name(uint16_t t) {
    return t == sm::kSeveral ? "several threads" : "thread " + std::to_string(t);
}

__attribute__((noinline)) void race(uintptr_t a, unsigned size, const char* kind, const char* did,
                                    uint16_t other, const char* other_did) {
    add(kRace, "shared-memory race (" + std::string(kind) + ") on " + shared_place(a, size) + ": thread " +
        std::to_string(threadIdx.x) + " " + did + " what " + thread_name(other) + " " + other_did +
        " in the same barrier interval, " + block_text());
}

__attribute__((noinline)) void unwritten_shared(uintptr_t a, unsigned size) {
    add(kUnwrittenShared, "read of shared memory no thread of the block has written: " + shared_place(a, size) + ", " +
        thread_text());
}

/** Records the access in the word's shadow (after the checks). */
inline void shared_record(sm::Word& w, uint64_t e, uint16_t t, bool write) {
    if (write) {
        w.write_epoch = e;
        w.writer = t;
    } else if (w.read_epoch != e) {
        w.read_epoch = e;
        w.reader = t;
    } else if (w.reader != t) {
        w.reader = sm::kSeveral;
    }
}

/** Several words, or a word with something to report: the checks in full. */
__attribute__((noinline)) void shared_access_slow(uintptr_t a, unsigned size, bool write) {
    const uint16_t t = (uint16_t)threadIdx.x;
    const uint64_t e = g_epoch;
    const unsigned words = (unsigned)(((a + size - 1) >> 2) - (a >> 2)) + 1;
    sm::Word* w = &sm::word_of(a);
    bool reported = false;   // one finding per access, however many words it spans
    for (unsigned i = 0; i < words; i++, w++) {
        if (!reported) {
            reported = true;
            if (w->write_epoch == e && w->writer != t) {
                race(a, size, write ? "write after write" : "read after write", write ? "writes" : "reads", w->writer,
                     "wrote");
            } else if (write && w->read_epoch == e && w->reader != t) {
                race(a, size, "write after read", "writes", w->reader, "read");
            } else if (!write && w->write_epoch < g_block_epoch) {
                unwritten_shared(a, size);
            } else {
                reported = false;
            }
        }
        shared_record(*w, e, t, write);
    }
}

/**
 * The common case inline: one word, no other thread's write in this interval (nor, for a write,
 * another thread's read), and for a read, written earlier in this block. The GEMM's tile loop
 * makes millions of these.
 */
inline void shared_access(uintptr_t a, unsigned size, bool write) {
    g_shared_accesses++;
    if ((a & 3) + size <= 4) {
        sm::Word& w = sm::word_of(a);
        const uint64_t e = g_epoch;
        const uint16_t t = (uint16_t)threadIdx.x;
        const bool quiet = (w.write_epoch != e || w.writer == t) &&
                           (write ? w.read_epoch != e || w.reader == t : w.write_epoch >= g_block_epoch);
        if (quiet) {
            shared_record(w, e, t, write);
            return;
        }
    }
    shared_access_slow(a, size, write);
}

inline void check(const void* p, unsigned size, bool write) {
    const uintptr_t a = (uintptr_t)p;
    if (dm::in_arena(a)) {
        global_access(a, size, write);
    } else if (sm::in_section(a)) {
        shared_access(a, size, write);
    } else if (a < kNullRegion) {
        null_access(a, size, write);
    }
    // else: the fiber's stack or the emulator's own memory (the kernels' locals, the arguments)
}

}  // namespace

void begin_launch(const KernelEntry& kernel, const std::vector<std::string>& param_names, const Arg* args) {
    g_kernel = &kernel;
    g_params = &param_names;
    g_args = args;
    g_report = Report{};
    g_global_accesses = g_shared_accesses = g_blocks = 0;
}

void begin_block() {
    g_block_epoch = ++g_epoch;
    g_blocks++;
}

void end_interval() { ++g_epoch; }

void report_barrier_divergence(const std::string& what) {
    add(kDivergence, "barrier divergence: " + what + ", " + block_text());
}

Outcome end_launch() {
    KernelStats& s = g_stats[g_kernel->name];
    if (!g_report.aborted) s.launches++;
    s.findings += g_report.count;
    s.blocks += g_blocks;
    s.global_accesses += g_global_accesses;
    s.shared_accesses += g_shared_accesses;
    Outcome out;
    out.findings = g_report.count;
    out.aborted = g_report.aborted;
    if (g_report.count > 0) {
        std::string kinds;
        for (int k = 0; k < kKinds; k++) {
            if (g_report.per_kind[k] == 0) continue;
            kinds += (kinds.empty() ? "" : ", ") + std::string(kKindNames[k]) + ": " + std::to_string(g_report.per_kind[k]);
        }
        out.text = std::to_string(g_report.count) + " sanitizer finding" + (g_report.count == 1 ? "" : "s") +
                   " (" + kinds + ") in " + g_kernel->name + "<<<(" + std::to_string(gridDim.x) + "," + std::to_string(gridDim.y) +
                   "," + std::to_string(gridDim.z) + ")," + std::to_string(blockDim.x) + ">>>" +
                   (g_report.aborted ? ", launch aborted" : "") + ":";
        for (const std::string& line : g_report.lines) out.text += "\n  " + line;
        if (g_report.count > g_report.lines.size()) {
            out.text += "\n  ... and " + std::to_string(g_report.count - g_report.lines.size()) + " more";
        }
    }
    g_kernel = nullptr;
    return out;
}

const std::map<std::string, KernelStats>& stats() { return g_stats; }

}  // namespace ebm::sanitizer

// ---- the hooks GCC's -fsanitize=thread instrumentation calls (kernels.o only) ----------------------

using ebm::sanitizer::check;

extern "C" {
void __tsan_init() {}
void __tsan_read1(void* p) { check(p, 1, false); }
void __tsan_read2(void* p) { check(p, 2, false); }
void __tsan_read4(void* p) { check(p, 4, false); }
void __tsan_read8(void* p) { check(p, 8, false); }
void __tsan_read16(void* p) { check(p, 16, false); }
void __tsan_write1(void* p) { check(p, 1, true); }
void __tsan_write2(void* p) { check(p, 2, true); }
void __tsan_write4(void* p) { check(p, 4, true); }
void __tsan_write8(void* p) { check(p, 8, true); }
void __tsan_write16(void* p) { check(p, 16, true); }
void __tsan_unaligned_read2(const void* p) { check(p, 2, false); }
void __tsan_unaligned_read4(const void* p) { check(p, 4, false); }
void __tsan_unaligned_read8(const void* p) { check(p, 8, false); }
void __tsan_unaligned_read16(const void* p) { check(p, 16, false); }
void __tsan_unaligned_write2(void* p) { check(p, 2, true); }
void __tsan_unaligned_write4(void* p) { check(p, 4, true); }
void __tsan_unaligned_write8(void* p) { check(p, 8, true); }
void __tsan_unaligned_write16(void* p) { check(p, 16, true); }
void __tsan_read_range(void* p, unsigned long n) {
    for (unsigned long i = 0; i < n; i += 4) check((char*)p + i, n - i < 4 ? (unsigned)(n - i) : 4, false);
}
void __tsan_write_range(void* p, unsigned long n) {
    for (unsigned long i = 0; i < n; i += 4) check((char*)p + i, n - i < 4 ? (unsigned)(n - i) : 4, true);
}
}
