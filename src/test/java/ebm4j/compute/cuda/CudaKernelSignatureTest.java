package ebm4j.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Kernel.java against the kernel sources, without nvcc or a GPU: the same set of extern "C"
 * kernels, and for each the same parameter kinds in the same order. A launch whose arguments
 * disagree with the C signature would read garbage on the device; {@link Launch#check} holds
 * every launch to Kernel.java, and this test holds Kernel.java to the .cu files.
 */
class CudaKernelSignatureTest {
    static Map<String, String> signaturesInSources() {
        Assumptions.assumeTrue(Files.isDirectory(KernelSources.PRODUCTION), "run from the project root");
        Map<String, String> out = new TreeMap<>();
        KernelSources.kernels(KernelSources.PRODUCTION).forEach((name, params) -> out.put(name, KernelSources.signature(params)));
        return out;
    }

    @Test
    void kernelJavaListsExactlyTheKernelsOfTheSourcesWithTheirSignatures() {
        Map<String, String> sources = signaturesInSources();
        Map<String, String> java = new TreeMap<>();
        for (Kernel k : Kernel.values()) java.put(k.symbol, k.signature);
        assertEquals(sources, java);
    }

    @Test
    void everySourceFileStartsWithAOneLineHeaderNamingItsCpuTwin() throws IOException {
        try (Stream<Path> s = Files.list(Paths.get("kernels"))) {
            for (Path f : s.filter(p -> p.toString().matches(".*\\.cuh?$")).toList()) {
                String first = Files.readAllLines(f).get(0);
                assertTrue(first.startsWith("// " + f.getFileName() + ":"), f + ": " + first);
            }
        }
    }

    @Test
    void parameterKindsAndNames() {
        assertEquals("ptr", KernelSources.kind("const float* __restrict__ A"));
        assertEquals("ptr", KernelSources.kind("unsigned long long* slots"));
        assertEquals("i64", KernelSources.kind("unsigned long long seed"));
        assertEquals("i64", KernelSources.kind("long long n"));
        assertEquals("i32", KernelSources.kind("int rows"));
        assertEquals("f32", KernelSources.kind("float beta"));
        assertEquals("A", KernelSources.name(" const float* __restrict__ A"));
        assertEquals("slots", KernelSources.name("unsigned long long* slots\n"));
    }

    @Test
    void theSourcesNameEveryParameterOnce() {
        Map<String, List<KernelSources.Param>> kernels = KernelSources.kernels(KernelSources.PRODUCTION);
        assertEquals(List.of("out", "bias", "rows", "cols"), kernels.get("bias_elu").stream().map(KernelSources.Param::name).toList());
        kernels.forEach((name, params) -> assertEquals(params.size(),
                params.stream().map(KernelSources.Param::name).distinct().count(), name + ": " + params));
    }
}
