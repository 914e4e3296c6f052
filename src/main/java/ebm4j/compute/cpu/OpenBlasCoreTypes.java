package ebm4j.compute.cpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The OpenBLAS kernel sets ({@code OPENBLAS_CORETYPE} names of the DYNAMIC_ARCH build) that this
 * CPU can run, read from the instruction-set flags in {@code /proc/cpuinfo}. OpenBLAS does not
 * check a forced core type against the CPU: forcing SkylakeX on a CPU without AVX-512 kills the
 * JVM with an illegal instruction, so only the types whose instructions the CPU reports are
 * offered. Its own choice (no variable set) is always a candidate too.
 */
final class OpenBlasCoreTypes {
    static final Path CPUINFO = Path.of("/proc/cpuinfo");

    private OpenBlasCoreTypes() {}

    /** The first {@code model name} and {@code flags} lines of /proc/cpuinfo, or empty when absent. */
    static List<String> cpuLines(Path cpuinfo) {
        String model = null, flags = null;
        try {
            for (String line : Files.readAllLines(cpuinfo, StandardCharsets.UTF_8)) {
                if (model == null && line.startsWith("model name")) {
                    model = line;
                } else if (flags == null && line.startsWith("flags")) {
                    flags = line;
                }
                if (model != null && flags != null) {
                    return List.of(model, flags);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: no candidates beyond OpenBLAS's own choice
        }
        return List.of();
    }

    /** The candidate core types for a CPU with these flags (x86-64 names), widest first. */
    static List<String> candidates(Set<String> flags) {
        List<String> out = new ArrayList<>();
        boolean avx512 = flags.containsAll(List.of("avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd"));
        if (avx512 && flags.containsAll(List.of("amx_tile", "amx_bf16", "avx512_bf16"))) {
            out.add("SapphireRapids");
        }
        if (avx512 && flags.contains("avx512_bf16")) {
            out.add("Cooperlake");
        }
        if (avx512) {
            out.add("SkylakeX");
        }
        if (flags.containsAll(List.of("avx2", "fma"))) {
            out.add("Haswell");
            out.add("Zen");
        }
        if (flags.contains("avx")) {
            out.add("SandyBridge");
        }
        return out;
    }

    /** The flags of a {@code flags : a b c} line. */
    static Set<String> flags(List<String> cpuLines) {
        for (String line : cpuLines) {
            if (line.startsWith("flags")) {
                int colon = line.indexOf(':');
                return new HashSet<>(Arrays.asList(line.substring(colon + 1).trim().split("\\s+")));
            }
        }
        return Set.of();
    }
}
