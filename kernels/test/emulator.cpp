// emulator.cpp: the kernel emulator's protocol: device memory, transfers and launches on request from the tests (EmulatedDevice), every kernel run under the sanitizer.
//
// Build (EmulatedDevice does this into a cache directory; only kernels.cpp is instrumented):
//   g++ -std=c++17 -O3 -ffp-contract=off -DEBM_EMULATOR -I kernels -I kernels/test
//       -fsanitize=thread --param tsan-instrument-func-entry-exit=0 -c kernels/test/kernels.cpp -o kernels.o
//   g++ -std=c++17 -O2 -ffp-contract=off -DEBM_EMULATOR -I kernels -I kernels/test
//       -c kernels/test/{emulator,scheduler,sanitizer,device_memory,shared_memory}.cpp
//   g++ emulator.o scheduler.o sanitizer.o device_memory.o shared_memory.o kernels.o
//       -Wl,-T,kernels/test/shared_memory.ld -o emulator        (no libtsan: sanitizer.cpp is the runtime)
//
// Protocol on stdin/stdout, little-endian, one reply per command. Status byte 0 = ok (then the
// reply's data), 1 = error (u32 length, message: a misuse, e.g. an unknown kernel), 2 = sanitizer
// finding(s) (u32 length, the findings' text):
//   'A' u64 bytes                  -> ok, u64 address (NOT initialised: 0xFF bytes, "never written")
//   'F' u64 address                -> ok
//   'W' u64 address u64 n bytes[n] -> ok (host to device)
//   'M' u64 address u32 value u64 count -> ok (cuMemsetD32)
//   'R' u64 address u64 n          -> ok, bytes[n] (device to host)
//   'C' u64 dst u64 src u64 n      -> ok (device to device, memmove)
//   'P' u16 len name u32 count (u16 len, param name)*  -> ok: names the kernel's parameters in findings
//   'L' u16 len name u32 gx gy gz block u32 nargs (u8 kind, u64 payload)*  -> ok
//        kind 0 pointer, 1 int, 2 long long, 3 float (payload low 32 bits)
//   'K'                            -> ok, u32 count, (u8 planted, u16 len, name)* of the compiled kernels
//   'S'                            -> ok, u32 count, (u16 len, name, u64 launches, findings, blocks,
//                                     global accesses, shared accesses)* of the kernels launched so far
//   'N' u32 a u32 b                -> ok, f32 z0, f32 z1: philox_normal_pair(a, b) (edge-case tests)
//   'Q'                            -> exits
// Device addresses are host addresses in the emulated device's arena, so Java-side pointer
// arithmetic (slices) just works. A launch's argument kinds are checked against the C++ parameter
// types of the kernel, a second check of Kernel.java's signatures beside CudaKernelSignatureTest.
// Every host-side transfer is checked against the live allocations as the kernels' accesses are.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "cuda_host_shim.h"
#include "device_memory.h"
#include "kernel_registry.h"
#include "philox.cuh"
#include "sanitizer.h"
#include "scheduler.h"
#include "shared_memory.h"

namespace {

namespace dm = ebm::device_memory;

/** A launch's findings: the reply is status 2. */
struct LaunchFindings : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Kernel {
    ebm::KernelEntry entry;
    std::vector<std::string> params;   // from 'P'; empty until then
};

std::map<std::string, Kernel> g_kernels;

void read_exact(void* p, size_t n) {
    if (n > 0 && fread(p, 1, n, stdin) != n) exit(0);   // the test side went away
}

template <typename T>
T read_le() {
    T v;
    read_exact(&v, sizeof v);   // x86-64 is little-endian
    return v;
}

std::string read_name() {
    const uint16_t len = read_le<uint16_t>();
    std::string s(len, '\0');
    read_exact(&s[0], len);
    return s;
}

/** Reads and drops n bytes (a refused write's payload), so the stream stays in step. */
void skip(uint64_t n) {
    char buf[1 << 14];
    while (n > 0) {
        const size_t k = n < sizeof buf ? (size_t)n : sizeof buf;
        read_exact(buf, k);
        n -= k;
    }
}

void write_exact(const void* p, size_t n) {
    if (n > 0 && fwrite(p, 1, n, stdout) != n) exit(0);
}

template <typename T>
void write_le(T v) {
    write_exact(&v, sizeof v);
}

void ok() { write_le<uint8_t>(0); }

void fail(uint8_t status, const std::string& msg) {
    write_le<uint8_t>(status);
    write_le<uint32_t>((uint32_t)msg.size());
    write_exact(msg.data(), msg.size());
}

Kernel& kernel(const std::string& name) {
    auto it = g_kernels.find(name);
    if (it == g_kernels.end()) throw std::runtime_error("no kernel named " + name);
    return it->second;
}

const char* kind_name(uint8_t kind) {
    static const char* const names[] = {"a pointer", "int", "long long", "float"};
    return kind < 4 ? names[kind] : "an unknown kind";
}

void launch() {
    const std::string name = read_name();
    gridDim = dim3{read_le<uint32_t>(), read_le<uint32_t>(), read_le<uint32_t>()};
    blockDim = dim3{read_le<uint32_t>(), 1, 1};
    std::vector<ebm::Arg> args(read_le<uint32_t>());
    for (auto& a : args) {
        a.kind = read_le<uint8_t>();
        a.payload = read_le<uint64_t>();
    }
    Kernel& k = kernel(name);
    if (blockDim.x < 1 || blockDim.x > 1024 || gridDim.x < 1 || gridDim.y < 1 || gridDim.z < 1)
        throw std::runtime_error("bad launch shape for " + name);
    if (args.size() != k.entry.kinds.size())
        throw std::runtime_error(name + ": kernel takes " + std::to_string(k.entry.kinds.size()) +
                                 " arguments, given " + std::to_string(args.size()));
    for (size_t i = 0; i < args.size(); i++) {
        if (args[i].kind != k.entry.kinds[i])
            throw std::runtime_error(name + ": argument " + std::to_string(i) + ": kernel takes " +
                                     kind_name(k.entry.kinds[i]) + ", given " + kind_name(args[i].kind));
    }
    ebm::sanitizer::begin_launch(k.entry, k.params, args.data());
    ebm::scheduler::run(k.entry, args.data());
    const ebm::sanitizer::Outcome out = ebm::sanitizer::end_launch();
    if (out.findings > 0) throw LaunchFindings(out.text);
}

void declare_params() {
    const std::string name = read_name();
    std::vector<std::string> params(read_le<uint32_t>());
    for (auto& p : params) p = read_name();
    Kernel& k = kernel(name);
    if (params.size() != k.entry.kinds.size())
        throw std::runtime_error(name + ": the C++ kernel has " + std::to_string(k.entry.kinds.size()) +
                                 " parameters, the source names " + std::to_string(params.size()));
    k.params = params;
}

void stats() {
    const auto& all = ebm::sanitizer::stats();
    ok();
    write_le<uint32_t>((uint32_t)all.size());
    for (const auto& [name, s] : all) {
        write_le<uint16_t>((uint16_t)name.size());
        write_exact(name.data(), name.size());
        for (uint64_t v : {s.launches, s.findings, s.blocks, s.global_accesses, s.shared_accesses}) write_le(v);
    }
}

/** One command; false to exit. */
bool serve(int op) {
    switch (op) {
        case 'A': {
            const uint64_t a = dm::allocate(read_le<uint64_t>());
            ok();
            write_le<uint64_t>(a);
            return true;
        }
        case 'F':
            dm::release((uintptr_t)read_le<uint64_t>());
            ok();
            return true;
        case 'W': {
            const uint64_t a = read_le<uint64_t>(), n = read_le<uint64_t>();
            try {
                dm::host_write(a, n, "upload");
            } catch (const ebm::HostFinding&) {
                skip(n);
                throw;
            }
            read_exact((void*)(uintptr_t)a, (size_t)n);
            ok();
            return true;
        }
        case 'M': {
            const uint64_t a = read_le<uint64_t>();
            const uint32_t value = read_le<uint32_t>();
            const uint64_t count = read_le<uint64_t>();
            dm::host_write(a, count * 4, "memset");
            uint32_t* p = (uint32_t*)(uintptr_t)a;
            for (uint64_t i = 0; i < count; i++) p[i] = value;
            ok();
            return true;
        }
        case 'R': {
            const uint64_t a = read_le<uint64_t>(), n = read_le<uint64_t>();
            dm::host_read(a, n, "download");
            ok();
            write_exact((const void*)(uintptr_t)a, (size_t)n);
            return true;
        }
        case 'C': {
            const uint64_t d = read_le<uint64_t>(), s = read_le<uint64_t>(), n = read_le<uint64_t>();
            dm::host_copy(d, s, n);
            memmove((void*)(uintptr_t)d, (const void*)(uintptr_t)s, (size_t)n);
            ok();
            return true;
        }
        case 'P':
            declare_params();
            ok();
            return true;
        case 'L':
            launch();
            ok();
            return true;
        case 'K':
            ok();
            write_le<uint32_t>((uint32_t)g_kernels.size());
            for (const auto& [name, k] : g_kernels) {
                write_le<uint8_t>(k.entry.planted ? 1 : 0);
                write_le<uint16_t>((uint16_t)name.size());
                write_exact(name.data(), name.size());
            }
            return true;
        case 'S':
            stats();
            return true;
        case 'N': {
            const uint32_t a = read_le<uint32_t>(), b = read_le<uint32_t>();
            float z[2];
            philox_normal_pair(a, b, &z[0], &z[1]);
            ok();
            write_exact(z, 8);
            return true;
        }
        default:
            fail(1, "unknown command " + std::to_string(op));
            return false;
    }
}

}  // namespace

int main() {
    try {
        dm::reserve();
        ebm::shared_memory::init();
        for (ebm::KernelEntry& e : ebm::kernel_entries()) g_kernels[e.name] = Kernel{e, {}};
    } catch (const std::exception& e) {
        fprintf(stderr, "kernel emulator: %s\n", e.what());
        return 3;
    }
    for (;;) {
        const int op = fgetc(stdin);
        if (op == EOF || op == 'Q') return 0;
        bool more = true;
        try {
            more = serve(op);
        } catch (const ebm::HostFinding& e) {
            fail(2, e.what());
        } catch (const LaunchFindings& e) {
            fail(2, e.what());
        } catch (const std::exception& e) {
            fail(1, e.what());
        }
        fflush(stdout);
        if (!more) return 2;
    }
}
