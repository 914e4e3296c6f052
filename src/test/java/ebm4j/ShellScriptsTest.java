package ebm4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell scripts: no pipeline whose reader may stop early under {@code set -o pipefail}, and
 * the GPU kit's own rules (gpu-pack.sh refuses to pack without MNIST or the PyTorch reference,
 * its jar check holds on long listings, gpu-check.sh's step limits fit one device call).
 */
class ShellScriptsTest {
    /**
     * A reader that may exit before its writer is done: grep -q / -m / --quiet / --max-count, head.
     * Under pipefail the writer's SIGPIPE (exit 141) then fails the pipeline at random.
     */
    private static final Pattern EARLY_EXIT_READER = Pattern.compile(
            "\\|\\s*(grep\\b[^|;&]*\\s-[A-Za-z]*[qm]|grep\\b[^|;&]*--(quiet|silent|max-count)|head\\b)");

    private static List<Path> scripts() throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("scripts"))) {
            s.filter(p -> p.toString().endsWith(".sh")).sorted().forEach(all::add);
        }
        all.addAll(List.of(Path.of(".ci/run"), Path.of("ebm4j"), Path.of("kernels/build.sh")));
        return all;
    }

    /** "file:line: text" for each risky pipeline of a script that sets pipefail. */
    static List<String> riskyPipelines(String name, String script) {
        List<String> found = new ArrayList<>();
        if (!script.contains("pipefail")) return found;
        String[] lines = script.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String code = lines[i].strip();
            if (code.startsWith("#")) continue;
            if (EARLY_EXIT_READER.matcher(code).find()) found.add(name + ":" + (i + 1) + ": " + code);
        }
        return found;
    }

    @Test
    void noScriptPipesIntoAReaderThatMayExitEarlyUnderPipefail() throws IOException {
        List<String> found = new ArrayList<>();
        List<Path> scripts = scripts();
        assertTrue(scripts.size() >= 6, "scripts found: " + scripts);
        for (Path p : scripts) found.addAll(riskyPipelines(p.toString(), Files.readString(p, StandardCharsets.UTF_8)));
        assertEquals(List.of(), found, "read the producer's output into a variable first (grep -q PATTERN <<<\"$out\")");
    }

    @Test
    void theLintCatchesThePatternAndLetsItsFixesPass() {
        String bad = "set -euo pipefail\nunzip -l \"$jar\" | grep -q 'ebm4j/kernels.fatbin'\n"
                + "launcher=$(ls x/*.jar | head -1)\njava -version 2>&1 | grep -qE 'version'\nfoo | grep -m1 x\n";
        assertEquals(4, riskyPipelines("bad", bad).size(), riskyPipelines("bad", bad).toString());
        String good = "set -euo pipefail\nlisting=$(unzip -Z1 \"$jar\")\ngrep -qxF -- x <<<\"$listing\"\n"
                + "# unzip -l x | grep -q y (a comment)\nfind . | sort | tail -n 1\ngrep -m 1 x file\n";
        assertEquals(List.of(), riskyPipelines("good", good));
        assertEquals(List.of(), riskyPipelines("no pipefail", "set -eu\nunzip -l x | grep -q y\n"));
    }

    // ---- gpu-pack.sh ------------------------------------------------------------------------------

    private record Run(int code, String out) {}

    private static Run bash(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd + "\n" + out);
        }
        return new Run(p.exitValue(), out);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    // ---- the launcher's choice of JVM ---------------------------------------------------------------

    /**
     * A fake JDK: {@code home/release} says {@code version}, {@code home/bin/java} prints its name and
     * its arguments instead of starting a JVM.
     */
    private static void fakeJdk(Path home, String version) throws IOException {
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        Path java = home.resolve("bin/java");
        Files.writeString(java, "#!/usr/bin/env bash\necho \"java of " + home.getFileName() + ": $*\"\n");
        assertTrue(java.toFile().setExecutable(true));
    }

    /**
     * The launcher copied beside a fake build (so it neither builds nor calibrates), run with PATH's
     * java being a fake JDK 17 and EBM4J_JDK_DIRS holding the given fake JDKs.
     */
    private static Run launcherChoosing(Path dir, Map<String, String> jdks, Map<String, String> env) throws Exception {
        Path app = dir.resolve("app");
        Files.createDirectories(app.resolve("target/lib"));
        Files.copy(Path.of("ebm4j"), app.resolve("ebm4j"));
        Files.writeString(app.resolve("target/ebm4j.jar"), "not a jar: the fake java never opens it");
        fakeJdk(dir.resolve("path-jdk"), "17.0.2");
        for (Map.Entry<String, String> jdk : jdks.entrySet()) {
            fakeJdk(dir.resolve("jvms").resolve(jdk.getKey()), jdk.getValue());
        }
        Map<String, String> all = new java.util.HashMap<>(Map.of(
                "PATH", dir.resolve("path-jdk/bin") + ":/usr/bin:/bin",
                "EBM4J_JDK_DIRS", dir.resolve("jvms") + ":" + dir.resolve("absent"),
                "EBM4J_BLAS_CALIBRATE", "0"));
        all.putAll(env);
        return bash(all, app.resolve("ebm4j").toString(), "--version");
    }

    @Test
    void theLauncherRunsTheNewestJdkOf17OrLater(@TempDir Path dir) throws Exception {
        Run r = launcherChoosing(dir, Map.of("old-11", "11.0.9", "jdk-21", "21.0.4", "jdk-25", "25.0.1"), Map.of());
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("java of jdk-25: --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"
                + " --sun-misc-unsafe-memory-access=allow "), r.out());
        assertTrue(r.out().endsWith("--version\n"), r.out());
    }

    @Test
    void theLauncherKeepsThePathsJavaWhenNothingNewerIsThere(@TempDir Path dir) throws Exception {
        Run r = launcherChoosing(dir, Map.of("old-11", "11.0.9", "no-release-file", ""), Map.of());
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("java of path-jdk: --add-modules jdk.incubator.vector"
                + " --enable-native-access=ALL-UNNAMED -XX:"), "no Unsafe flag before JDK 23: " + r.out());
    }

    @Test
    void javaSetByTheUserWins(@TempDir Path dir) throws Exception {
        fakeJdk(dir.resolve("mine"), "17.0.9");
        Run r = launcherChoosing(dir, Map.of("jdk-25", "25.0.1"),
                Map.of("JAVA", dir.resolve("mine/bin/java").toString()));
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("java of mine: "), r.out());
    }

    /** A zip whose first entry is the one looked for, then thousands more: a long listing. */
    private static Path longJar(Path dir) throws IOException {
        Path jar = dir.resolve("long.jar");
        try (OutputStream f = Files.newOutputStream(jar); ZipOutputStream z = new ZipOutputStream(f)) {
            z.putNextEntry(new ZipEntry("ebm4j/kernels.fatbin"));
            z.write(new byte[] {1, 2, 3});
            for (int i = 0; i < 4000; i++) {
                z.putNextEntry(new ZipEntry("ebm4j/filler/entry-with-a-longish-name-" + i + ".class"));
            }
        }
        return jar;
    }

    @Test
    void theJarCheckHoldsOnALongListingWhereGrepQuietFailsAtRandom(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(onPath("unzip"), "unzip is not installed (gpu-pack.sh needs it too)");
        Path jar = longJar(dir);
        Run fixed = bash(Map.of(), "-c", "source scripts/gpu-pack.sh; for i in $(seq 20); do "
                + "jar_has \"$1\" ebm4j/kernels.fatbin || exit 1; done; "
                + "jar_has \"$1\" ebm4j/missing && exit 3; jar_has \"$1\" ebm4j/kernels && exit 4; exit 0", "_", jar.toString());
        assertEquals(0, fixed.code(), "jar_has must find the entry every time and only exact entries: " + fixed.out());
        // The listing is long enough to show the old bug: the old pipeline fails on this jar.
        Run old = bash(Map.of(), "-c", "set -o pipefail; for i in $(seq 5); do "
                + "unzip -l \"$1\" | grep -q ebm4j/kernels.fatbin || exit 1; done", "_", jar.toString());
        assertEquals(1, old.code(), "`unzip -l | grep -q` under pipefail should fail on this listing (SIGPIPE)");
    }

    private static void sizedFile(Path p, long bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(bytes);
        }
    }

    @Test
    void gpuPackRefusesWithoutMnistBeforeBuildingAnything(@TempDir Path dir) throws Exception {
        Path mnist = Files.createDirectories(dir.resolve("mnist"));
        sizedFile(mnist.resolve("t10k-labels-idx1-ubyte"), 10008);
        sizedFile(mnist.resolve("train-labels-idx1-ubyte"), 60000);   // truncated
        Run r = bash(Map.of("EBM4J_MNIST_DIR", mnist.toString(), "EBM4J_SHARED", dir.toString()), "scripts/gpu-pack.sh");
        assertEquals(1, r.code(), r.out());
        assertEquals(1, r.out().strip().lines().count(), "one line: " + r.out());
        assertTrue(r.out().startsWith("gpu-pack: MNIST is not complete in " + mnist), r.out());
        assertTrue(r.out().contains("train-images-idx3-ubyte missing"), r.out());
        assertTrue(r.out().contains("train-labels-idx1-ubyte has 60000 bytes, expected 60008"), r.out());
        assertTrue(r.out().contains("ebm4j data fetch"), r.out());
    }

    @Test
    void gpuPackRefusesWithoutThePytorchReference(@TempDir Path dir) throws Exception {
        Path mnist = Files.createDirectories(dir.resolve("mnist"));
        sizedFile(mnist.resolve("train-images-idx3-ubyte"), 47040016);
        sizedFile(mnist.resolve("train-labels-idx1-ubyte"), 60008);
        sizedFile(mnist.resolve("t10k-images-idx3-ubyte"), 7840016);
        sizedFile(mnist.resolve("t10k-labels-idx1-ubyte"), 10008);
        Run r = bash(Map.of("EBM4J_MNIST_DIR", mnist.toString(), "EBM4J_SHARED", dir.toString()), "scripts/gpu-pack.sh");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().startsWith("gpu-pack: no PyTorch reference at " + dir.resolve("bench/torch_ebm.py")), r.out());
        assertFalse(r.out().contains("mvn package"), "nothing was built: " + r.out());
    }

    // ---- gpu-check.sh -----------------------------------------------------------------------------

    @Test
    void gpuCheckStepLimitsAddUpToLessThanEightMinutes() throws Exception {
        Run r = bash(Map.of(), "scripts/gpu-check.sh", "--budget");
        assertEquals(0, r.code(), r.out());
        int sum = 0;
        Matcher step = Pattern.compile("(?m)^(env|smoke|tests|bench|train|resume) +(\\d+) s \\(\\+(\\d+) s grace\\)$")
                .matcher(r.out());
        int steps = 0;
        while (step.find()) {
            sum += Integer.parseInt(step.group(2)) + Integer.parseInt(step.group(3));
            steps++;
        }
        assertEquals(6, steps, r.out());
        Matcher total = Pattern.compile("(?m)^total +(\\d+) s of (\\d+) s allowed \\(the check must end within (\\d+) s\\)$")
                .matcher(r.out());
        assertTrue(total.find(), r.out());
        assertEquals(sum, Integer.parseInt(total.group(1)), "the printed total is the sum of the limits");
        assertTrue(sum <= Integer.parseInt(total.group(2)), r.out());
        assertTrue(Integer.parseInt(total.group(3)) <= 8 * 60, "the whole check ends within 8 minutes: " + r.out());
        assertTrue(sum < 8 * 60, "step limits with their grace add up to " + sum + " s, not under 8 minutes");
    }

    @Test
    void gpuCheckWithoutAPackSaysSoAndFails(@TempDir Path dir) throws Exception {
        Run r = bash(Map.of("EBM4J_PACK", dir.resolve("no-pack").toString(), "OUT", dir.resolve("out").toString()),
                "scripts/gpu-check.sh");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("run scripts/gpu-pack.sh first"), r.out());
        assertTrue(Files.readString(dir.resolve("out/summary.txt")).contains("run scripts/gpu-pack.sh first"));
    }

    @Test
    void gpuCheckComparesCheckpointsByTensorsNotByTheirRandomIds(@TempDir Path dir) throws Exception {
        // two saves of the same weights differ only in the random checkpoint_id: the resume step
        // once compared them with cmp and failed a run that was bit-identical
        float[] params = new float[(int) new ebm4j.model.ParameterLayout(784, 16, 8, 10).size()];
        for (int i = 0; i < params.length; i++) params[i] = i * 1e-3f;
        ebm4j.config.TrainConfig config = ebm4j.config.ConfigLoader.load(null, Map.of("hidden_dims", "16,8"));
        ebm4j.model.ModelSpec spec = ebm4j.model.TestSpecs.mlp(784, 16, 8, 10);
        ebm4j.model.Checkpoint.save(dir.resolve("a"), spec, params, config, null);
        ebm4j.model.Checkpoint.save(dir.resolve("b"), spec, params, config, null);
        params[params.length - 1] += 1f;
        ebm4j.model.Checkpoint.save(dir.resolve("c"), spec, params, config, null);
        Path a = dir.resolve("a/model.safetensors"), b = dir.resolve("b/model.safetensors");
        assertFalse(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)), "the ids differ");

        String compare = "source <(sed -n '/^same_checkpoint_file() {/,/^}/p' scripts/gpu-check.sh); "
                + "same_checkpoint_file \"$1\" \"$2\" && echo SAME || echo DIFFERENT";
        assertTrue(bash(Map.of(), "-c", compare, "x", a.toString(), b.toString()).out().contains("SAME"));
        Run changed = bash(Map.of(), "-c", compare, "x", a.toString(), dir.resolve("c/model.safetensors").toString());
        assertTrue(changed.out().contains("DIFFERENT"), changed.out());
    }
}
