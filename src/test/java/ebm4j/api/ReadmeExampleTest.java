package ebm4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.TinyRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README's Java example compiles against the library and runs on a trained model, printing what it says. */
class ReadmeExampleTest {
    @Test
    void theReadmeExampleCompilesAndRuns(@TempDir Path dir) throws Exception {
        String source = ReadmeExample.source();
        String name = ReadmeExample.className(source);
        Path file = dir.resolve(name + ".java");
        Files.writeString(file, source);
        Path classes = Files.createDirectories(dir.resolve("classes"));

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(diagnostics, files, null,
                    List.of("-Xlint:all", "-Werror", "--release", "17", "-d", classes.toString(),
                            "-classpath", System.getProperty("java.class.path")),
                    null, files.getJavaFileObjects(file)).call();
            assertTrue(ok, "the README example does not compile:\n" + diagnostics);
        }

        String run = TinyRun.folder().toString(); // trained first: training logs to stdout too
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                getClass().getClassLoader())) {
            Method main = loader.loadClass(name).getMethod("main", String[].class);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[] {run});
        } finally {
            System.setOut(stdout);
        }
        String out = printed.toString(StandardCharsets.UTF_8);
        Matcher m = ReadmeExample.OUTPUT.matcher(out);
        assertTrue(m.matches(), "the example printed:\n" + out);
        assertEquals("CPU", m.group(1), "AUTO runs on the CPU without a GPU");
        double sampled = Double.parseDouble(m.group(3)), black = Double.parseDouble(m.group(4));
        assertTrue(sampled > black, "a sampled 7 should look more like a digit than a black image: " + out);
    }
}
