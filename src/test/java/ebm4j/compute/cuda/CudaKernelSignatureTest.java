package ebm4j.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final Pattern KERNEL = Pattern.compile(
            "extern\\s+\"C\"\\s+__global__\\s+(?:void\\s+__launch_bounds__\\([^)]*\\)|__launch_bounds__\\([^)]*\\)\\s+void|void)"
                    + "\\s+(\\w+)\\s*\\(([^)]*)\\)", Pattern.DOTALL);

    /** C parameter type to kind: pointers, int, long long (signed or not), float. */
    static String kind(String param) {
        String p = param.replaceAll("\\s+", " ").trim();
        if (p.contains("*")) return "ptr";
        String type = p.substring(0, p.lastIndexOf(' ')).replace("const ", "").trim();
        return switch (type) {
            case "int" -> "i32";
            case "long long", "unsigned long long" -> "i64";
            case "float" -> "f32";
            default -> throw new IllegalArgumentException("unexpected kernel parameter type: " + param);
        };
    }

    static Map<String, String> signaturesInSources() throws IOException {
        Path dir = Paths.get("kernels");
        Assumptions.assumeTrue(Files.isDirectory(dir), "run from the project root");
        Map<String, String> out = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        }
        for (Path f : files) {
            String src = Files.readString(f).replaceAll("//[^\n]*", "");
            Matcher m = KERNEL.matcher(src);
            while (m.find()) {
                List<String> kinds = new ArrayList<>();
                for (String param : m.group(2).split(",")) {
                    if (!param.isBlank()) kinds.add(kind(param));
                }
                String previous = out.put(m.group(1), String.join(" ", kinds));
                assertTrue(previous == null, "kernel " + m.group(1) + " defined twice");
            }
        }
        return out;
    }

    @Test
    void kernelJavaListsExactlyTheKernelsOfTheSourcesWithTheirSignatures() throws IOException {
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
    void parameterKinds() {
        assertEquals("ptr", kind("const float* __restrict__ A"));
        assertEquals("ptr", kind("unsigned long long* slots"));
        assertEquals("i64", kind("unsigned long long seed"));
        assertEquals("i64", kind("long long n"));
        assertEquals("i32", kind("int rows"));
        assertEquals("f32", kind("float beta"));
    }
}
