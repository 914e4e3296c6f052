package ebm4j.compute.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
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

/**
 * The extern "C" kernels of the CUDA sources, read from the text: name, and per parameter its kind
 * ({@code ptr}, {@code i32}, {@code i64}, {@code f32}, as {@link Kernel} spells them) and its name.
 * {@code CudaKernelSignatureTest} holds Kernel.java to the kinds; {@link EmulatedDevice} hands the
 * names to the emulator so that sanitizer findings name the buffer as the kernel does ("table[12]").
 */
final class KernelSources {
    /** The production kernels (kernels/*.cu, compiled into the fatbin). */
    static final Path PRODUCTION = Paths.get("kernels");
    /** The sanitizer's planted bugs (kernels/test/*.cu, compiled into the emulator only). */
    static final Path PLANTED = Paths.get("kernels", "test");

    private static final Pattern KERNEL = Pattern.compile(
            "extern\\s+\"C\"\\s+__global__\\s+(?:void\\s+__launch_bounds__\\([^)]*\\)|__launch_bounds__\\([^)]*\\)\\s+void|void)"
                    + "\\s+(\\w+)\\s*\\(([^)]*)\\)", Pattern.DOTALL);
    private static final Pattern LAST_WORD = Pattern.compile("(\\w+)\\s*$");

    record Param(String kind, String name) {}

    private KernelSources() {}

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

    /** The parameter's name: the last word of its declaration ("const float* __restrict__ A" gives "A"). */
    static String name(String param) {
        Matcher m = LAST_WORD.matcher(param);
        if (!m.find()) throw new IllegalArgumentException("no parameter name in: " + param);
        return m.group(1);
    }

    /** The kernels of the .cu files directly in {@code dir}, by name; a name defined twice throws. */
    static Map<String, List<Param>> kernels(Path dir) {
        Map<String, List<Param>> out = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path f : files) {
            String src;
            try {
                src = Files.readString(f).replaceAll("//[^\n]*", "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Matcher m = KERNEL.matcher(src);
            while (m.find()) {
                List<Param> params = new ArrayList<>();
                for (String param : m.group(2).split(",")) {
                    if (!param.isBlank()) params.add(new Param(kind(param), name(param)));
                }
                if (out.put(m.group(1), List.copyOf(params)) != null) {
                    throw new IllegalStateException("kernel " + m.group(1) + " defined twice in " + dir);
                }
            }
        }
        return out;
    }

    /** "ptr ptr i32 i32": the kinds as {@link Kernel#signature} spells them. */
    static String signature(List<Param> params) {
        return String.join(" ", params.stream().map(Param::kind).toList());
    }
}
