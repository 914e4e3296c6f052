package ebm4j.compute.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which OpenBLAS kernels may be tried on a CPU, and which measurement wins. */
class OpenBlasCalibrationTest {

    @Test
    void onlyKernelsWhoseInstructionsTheCpuHasAreCandidates() {
        Set<String> zen3 = Set.of("sse4_2", "avx", "avx2", "fma", "f16c");
        assertEquals(List.of("Haswell", "Zen", "SandyBridge"), OpenBlasCoreTypes.candidates(zen3));
        Set<String> cooperlake = Set.of("avx", "avx2", "fma", "avx512f", "avx512vl", "avx512bw", "avx512dq",
                "avx512cd", "avx512_bf16");
        assertEquals(List.of("Cooperlake", "SkylakeX", "Haswell", "Zen", "SandyBridge"),
                OpenBlasCoreTypes.candidates(cooperlake));
        assertEquals(List.of(), OpenBlasCoreTypes.candidates(Set.of("sse2", "avx512f")), "AVX-512F alone is not SkylakeX");
    }

    @Test
    void cpuLinesAndFlagsComeFromTheFirstProcessor(@TempDir Path dir) throws IOException {
        Path cpuinfo = Files.writeString(dir.resolve("cpuinfo"), "processor\t: 0\nmodel name\t: Some CPU\n"
                + "flags\t\t: fpu avx avx2 fma\n\nprocessor\t: 1\nmodel name\t: Some CPU\nflags\t\t: fpu\n");
        List<String> lines = OpenBlasCoreTypes.cpuLines(cpuinfo);
        assertEquals(List.of("model name\t: Some CPU", "flags\t\t: fpu avx avx2 fma"), lines);
        assertEquals(Set.of("fpu", "avx", "avx2", "fma"), OpenBlasCoreTypes.flags(lines));
        assertEquals(List.of(), OpenBlasCoreTypes.cpuLines(dir.resolve("absent")));
    }

    @Test
    void openBlasOwnChoiceStaysUnlessAnotherIsClearlyFaster() {
        Map<String, Double> close = new LinkedHashMap<>();
        close.put("Haswell", 60.0);
        close.put("Zen", 62.0);          // 3 % better: within the margin
        close.put("SandyBridge", 40.0);
        OpenBlasCalibration.Choice keep = OpenBlasCalibration.choose(close, "Haswell");
        assertEquals("Haswell", keep.coretype());
        assertTrue(keep.summary().contains("Zen 62.0") && keep.summary().contains("own choice Haswell"), keep.summary());

        Map<String, Double> clear = new LinkedHashMap<>(close);
        clear.put("SkylakeX", 90.0);
        clear.put("Cooperlake", 95.0);
        assertEquals("Cooperlake", OpenBlasCalibration.choose(clear, "Haswell").coretype());
    }
}
