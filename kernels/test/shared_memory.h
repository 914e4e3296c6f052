// shared_memory.h: where the kernels' __shared__ variables live (the ebm_shared section of shared_memory.ld), their names, and the race shadow per 4-byte word.
#pragma once

#include <stdint.h>

#include <string>

namespace ebm::shared_memory {

/** Sentinel reader: more than one thread read the word in the current barrier interval. */
constexpr uint16_t kSeveral = 0xFFFF;

/**
 * What racecheck keeps per word: the last write (barrier interval, thread) and the reads of the
 * current interval (one thread, or kSeveral). Intervals are the sanitizer's epochs: a global
 * counter that never repeats, so state left by earlier blocks or launches never matches.
 */
struct Word {
    uint64_t write_epoch;
    uint64_t read_epoch;
    uint16_t writer;
    uint16_t reader;
};

struct Section {
    uintptr_t base = 0;
    uint64_t size = 0;
    Word* shadow = nullptr;
};
extern Section g_section;

inline bool in_section(uintptr_t a) { return a - g_section.base < g_section.size; }

inline Word& word_of(uintptr_t a) { return g_section.shadow[(a - g_section.base) >> 2]; }

/** One __shared__ variable: "tile", "planted_shift_left::tile", address and size. */
struct Variable {
    std::string name;
    std::string qualified;
    uintptr_t base;
    uint64_t bytes;
};

/**
 * Finds the section (linker symbols) and the variables in it (the executable's own symbol table)
 * and allocates the shadow. Throws if the section is empty or holds data that is not a
 * function-local static, i.e. if the build did not put exactly the kernels' __shared__ there.
 */
void init();

/** The variable holding address a (in the section), or null (alignment padding). */
const Variable* variable_at(uintptr_t a);

}  // namespace ebm::shared_memory
