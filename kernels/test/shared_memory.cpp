// shared_memory.cpp: finds the kernels' __shared__ variables (see shared_memory.h) and names them from the executable's symbol table.
//
// The names come from /proc/self/exe's .symtab (static symbols: a function-local static such as
// `_ZZ18planted_shift_leftE4tile` is never in the dynamic symbol table), demangled and cut down
// to "planted_shift_left::tile" or "gemm_tile<32, 32, 16, 2, 2>::As". The load bias of the
// position-independent executable is the difference between __ebm_shared_begin's run-time
// address and its value in the table.
#include "shared_memory.h"

#include <cxxabi.h>
#include <elf.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

extern "C" char __ebm_shared_begin[];
extern "C" char __ebm_shared_end[];

namespace ebm::shared_memory {

Section g_section;

namespace {

std::vector<Variable> variables;   // sorted by address

/** "void gemm_tile<32, 32, 16, 2, 2>(int, ..., float*)::As" -> "gemm_tile<32, 32, 16, 2, 2>::As". */
std::string short_name(const std::string& demangled) {
    std::string out;
    int parens = 0;
    for (char c : demangled) {
        if (c == '(') parens++;
        if (parens == 0) out += c;
        if (c == ')') parens--;
    }
    if (out.rfind("void ", 0) == 0) out = out.substr(5);
    return out;
}

std::string demangle(const char* mangled) {
    int status = 0;
    char* d = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
    if (status != 0 || d == nullptr) return mangled;
    std::string s(d);
    free(d);
    return s;
}

void read_symbols() {
    std::ifstream in("/proc/self/exe", std::ios::binary);
    const std::vector<char> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (image.size() < sizeof(Elf64_Ehdr)) throw std::runtime_error("cannot read /proc/self/exe");
    const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(image.data());
    const auto* sections = reinterpret_cast<const Elf64_Shdr*>(image.data() + eh->e_shoff);
    std::vector<Elf64_Sym> objects;
    const char* names = nullptr;
    uint64_t begin_value = 0;
    bool found_begin = false;
    for (int i = 0; i < eh->e_shnum; i++) {
        if (sections[i].sh_type != SHT_SYMTAB) continue;
        names = image.data() + sections[sections[i].sh_link].sh_offset;
        const auto* syms = reinterpret_cast<const Elf64_Sym*>(image.data() + sections[i].sh_offset);
        for (uint64_t k = 0; k < sections[i].sh_size / sizeof(Elf64_Sym); k++) {
            const std::string name = names + syms[k].st_name;
            if (name == "__ebm_shared_begin") {
                begin_value = syms[k].st_value;
                found_begin = true;
            } else if (ELF64_ST_TYPE(syms[k].st_info) == STT_OBJECT) {
                objects.push_back(syms[k]);
            }
        }
    }
    if (!found_begin) throw std::runtime_error("no symbol table in the emulator binary (stripped?)");
    const uintptr_t bias = (uintptr_t)__ebm_shared_begin - begin_value;
    for (const Elf64_Sym& s : objects) {
        const uintptr_t at = s.st_value + bias;
        if (!in_section(at)) continue;
        const std::string mangled = names + s.st_name;
        if (mangled.rfind("_ZZ", 0) != 0) {
            // Not a function-local static: kernels.o holds data that is not a __shared__ variable.
            throw std::runtime_error("shared_memory.ld: kernels.o defines " + demangle(mangled.c_str()) +
                                     ", which is not a kernel's __shared__ variable");
        }
        const std::string qualified = short_name(demangle(mangled.c_str()));
        const size_t colons = qualified.rfind("::");
        variables.push_back({qualified.substr(colons == std::string::npos ? 0 : colons + 2), qualified, at,
                             s.st_size});
    }
    std::sort(variables.begin(), variables.end(),
              [](const Variable& a, const Variable& b) { return a.base < b.base; });
}

}  // namespace

void init() {
    g_section.base = (uintptr_t)__ebm_shared_begin;
    g_section.size = (uint64_t)(__ebm_shared_end - __ebm_shared_begin);
    if (g_section.size == 0) {
        throw std::runtime_error("no __shared__ memory found: the emulator was linked without shared_memory.ld");
    }
    g_section.shadow = new Word[(g_section.size + 3) / 4]();
    read_symbols();
}

const Variable* variable_at(uintptr_t a) {
    auto it = std::upper_bound(variables.begin(), variables.end(), a,
                               [](uintptr_t x, const Variable& v) { return x < v.base; });
    if (it == variables.begin()) return nullptr;
    --it;
    return a < it->base + it->bytes ? &*it : nullptr;
}

}  // namespace ebm::shared_memory
