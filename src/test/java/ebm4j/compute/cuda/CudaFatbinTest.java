package ebm4j.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The fatbin that kernels/build.sh puts on the classpath, checked without a GPU: present whenever
 * nvcc is (build.sh's own lookup), and holding every kernel the Java side resolves. nvcc keeps
 * the SASS ELF images uncompressed (only the PTX is zstd-compressed), and each ELF's string table
 * holds the extern "C" names as NUL-terminated strings, so "\0name\0" finds exactly that symbol
 * (not "fill" inside "uniform_fill").
 */
class CudaFatbinTest {

    static boolean nvccAvailable() {
        if (System.getenv("NVCC") != null && Files.isExecutable(Paths.get(System.getenv("NVCC")))) return true;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Paths.get(dir, "nvcc"))) return true;
        }
        return Files.isExecutable(Paths.get("/usr/local/bin/nvcc")) || Files.isExecutable(Paths.get("/usr/local/cuda/bin/nvcc"));
    }

    private static byte[] fatbin() throws IOException {
        try (InputStream in = CudaFatbinTest.class.getResourceAsStream(CudaProbe.KERNELS_RESOURCE)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    @Test
    void fatbinIsBuiltWhenNvccIsPresentAndHoldsEveryKernel() throws IOException {
        byte[] image = fatbin();
        if (image == null) {
            // with nvcc here the build must have produced it: a missing fatbin is a failure, not a skip
            assertFalse(nvccAvailable(), "nvcc is on this machine but the build produced no " + CudaProbe.KERNELS_RESOURCE);
            Assumptions.abort("no nvcc: kernels not built (" + CudaProbe.KERNELS_RESOURCE + " absent)");
        }
        // fatbin container magic 0xBA55ED50, little-endian
        assertTrue(image.length > 16 && (image[0] & 0xFF) == 0x50 && (image[1] & 0xFF) == 0xED
                && (image[2] & 0xFF) == 0x55 && (image[3] & 0xFF) == 0xBA, "fatbin magic");
        String bytes = new String(image, StandardCharsets.ISO_8859_1);
        List<String> missing = new ArrayList<>();
        for (Kernel k : Kernel.values()) {
            if (!bytes.contains("\0" + k.symbol + "\0")) missing.add(k.symbol);
        }
        assertTrue(missing.isEmpty(), "kernels missing from the fatbin: " + missing);
    }

    @Test
    void buildScriptSkipsCleanlyWithoutNvcc() throws Exception {
        Path script = Paths.get("kernels/build.sh");
        Assumptions.assumeTrue(Files.isRegularFile(script), "run from the project root");
        Path out = Files.createTempDirectory("ebm4j-fatbin").resolve("k.fatbin");
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), out.toString()).redirectErrorStream(true);
        pb.environment().put("NVCC", "none");
        Process p = pb.start();
        String log;
        try (InputStream in = p.getInputStream()) {
            log = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor() == 0, "build.sh without nvcc must succeed:\n" + log);
        assertTrue(!Files.exists(out), "nothing written");
        assertTrue(log.strip().lines().count() == 1 && log.contains("no CUDA kernels built"), "one warning line:\n" + log);
    }
}
