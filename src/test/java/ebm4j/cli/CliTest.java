package ebm4j.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.config.ConfigLoader;
import ebm4j.config.Hyperparameter;
import ebm4j.config.Hyperparameters;
import ebm4j.model.Models;
import ebm4j.sample.Samplers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Exit codes and messages of the command line, without data or training. */
class CliTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static void assertUsageError(Run r, String mustMention) {
        assertEquals(2, r.code(), "exit code; stderr: " + r.err());
        assertTrue(r.err().contains(mustMention), "stderr should mention '" + mustMention + "': " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
    }

    @Test
    void helpAndVersionSucceed() {
        Run help = run("--help");
        assertEquals(0, help.code());
        for (String cmd : new String[] {"train", "sample", "eval", "compare", "bench", "data", "info"}) {
            assertTrue(help.out().contains(cmd), cmd + " missing from --help");
            assertEquals(0, run(cmd, "--help").code(), cmd + " --help");
        }
        Run version = run("--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("ebm4j "), version.out());
    }

    /**
     * picocli runs every description through String.format: a bare '%' (as in "95 % interval")
     * makes it print a warning to System.err and show the text unformatted, so every description
     * written in an annotation of a command or its mixins, and every hyperparameter's help (from
     * which train's options are built), must format.
     */
    @Test
    void everyHelpTextFormats() {
        CommandLine root = Main.newCommandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        List<String> texts = new ArrayList<>();
        List<CommandLine> commands = new ArrayList<>(List.of(root));
        commands.addAll(root.getSubcommands().values());
        for (CommandLine c : commands) {
            Deque<Class<?>> classes = new ArrayDeque<>(List.of(c.getCommandSpec().userObject().getClass()));
            while (!classes.isEmpty()) {
                Class<?> type = classes.pop();
                CommandLine.Command command = type.getAnnotation(CommandLine.Command.class);
                if (command != null) {
                    texts.addAll(List.of(command.description()));
                }
                for (Field f : type.getDeclaredFields()) {
                    CommandLine.Option option = f.getAnnotation(CommandLine.Option.class);
                    CommandLine.Parameters parameters = f.getAnnotation(CommandLine.Parameters.class);
                    if (option != null) {
                        texts.addAll(List.of(option.description()));
                    }
                    if (parameters != null) {
                        texts.addAll(List.of(parameters.description()));
                    }
                    if (f.isAnnotationPresent(CommandLine.Mixin.class)) {
                        classes.push(f.getType());
                    }
                }
                if (type.getSuperclass() != null && type.getSuperclass() != Object.class) {
                    classes.push(type.getSuperclass());
                }
            }
        }
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            texts.add(h.help());
        }
        for (String text : texts) {
            String plain = text.replaceAll("\\$\\{[^}]*}", "x");
            assertDoesNotThrow(() -> String.format(Locale.ROOT, plain), text);
        }
        assertTrue(texts.size() > 50, "checked " + texts.size() + " help texts");
    }

    @Test
    void originalFlagNamesAreAccepted() {
        Run r = run("train", "--help");
        for (String flag : new String[] {"--batch_size", "--langevin_steps", "--langevin_alpha", "--langevin_sigma",
            "--log_file", "--lr", "--epochs", "--device", "--config", "--seed", "--data-dir", "--out", "--resume"}) {
            assertTrue(r.out().contains(flag), flag + " missing from train --help");
        }
    }

    /** train --help is built from the descriptors: every option, its placeholder and its real default. */
    @Test
    void trainHelpShowsEveryHyperparameterWithItsDefault() {
        String help = run("train", "--help").out().replaceAll("\\s+", " ");
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            for (String option : h.optionNames()) {
                assertTrue(help.contains(option), option + " missing from train --help");
            }
            assertTrue(help.contains("Default: " + h.defaultText() + "."), h.key() + "'s default missing: " + help);
        }
        for (String sampler : Samplers.names()) {
            assertTrue(Hyperparameters.SAMPLER.help().contains(sampler), "sampler help should name " + sampler);
        }
        for (String model : Models.names()) {
            assertTrue(Hyperparameters.MODEL.help().contains(model), "model help should name " + model);
        }
        for (String preset : ConfigLoader.presets()) {
            assertTrue(help.contains(preset), "preset " + preset + " missing from --config's help");
        }
    }

    @Test
    void enumeratedOptionsListTheirChoicesInLowerCase() {
        assertUsageError(run("train", "--device", "tpu"), "expected one of auto, cpu, gpu, got 'tpu'");
        assertUsageError(run("train", "--on-divergence", "pray"), "expected one of stop, rollback, got 'pray'");
        assertUsageError(run("bench", "--device", "x"), "expected one of auto, cpu, gpu, all, got 'x'");
    }

    @Test
    void unknownOptionAndMissingCommandAreUsageErrors() {
        assertUsageError(run("train", "--bogus"), "bogus");
        assertUsageError(run(), "missing command");
        assertUsageError(run("frobnicate"), "frobnicate");
    }

    @Test
    void nonsenseHyperparametersExitTwoBeforeAnyWork(@TempDir Path dir) {
        String data = dir.resolve("nodata").toString();
        assertUsageError(run("train", "--batch_size", "0", "--data-dir", data, "--no-fetch"), "batch_size must be");
        assertUsageError(run("train", "--langevin_steps", "-5", "--data-dir", data, "--no-fetch"), "langevin_steps");
        assertUsageError(run("train", "--lr", "NaN", "--data-dir", data, "--no-fetch"), "lr must be");
        assertUsageError(run("train", "--langevin_alpha", "Infinity", "--data-dir", data, "--no-fetch"),
                "langevin_alpha");
        assertUsageError(run("train", "--hidden", "512,0", "--data-dir", data, "--no-fetch"), "hidden_dims");
        assertUsageError(run("train", "--config", dir.resolve("none.properties").toString()), "does not exist");
        assertUsageError(run("train", "--device", "tpu"), "--device");
    }

    @Test
    void missingDataSaysHowToFetch(@TempDir Path dir) {
        Run r = run("train", "--data-dir", dir.resolve("empty").toString(), "--no-fetch", "--out",
                dir.resolve("runs").toString());
        assertUsageError(r, "data fetch");
    }

    @Test
    void unwritableOutputFolderIsAUsageError(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        assertUsageError(run("train", "--out", file.toString(), "--name", "r", "--data-dir", dir.toString(),
                "--no-fetch"), "cannot write the run folder");
    }

    @Test
    void anExistingRunIsNeverOverwritten(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("runs").resolve("r");
        Files.createDirectories(run);
        Files.writeString(run.resolve("metrics.jsonl"), "{\"epoch\": 1}\n");
        assertUsageError(run("train", "--out", dir.resolve("runs").toString(), "--name", "r", "--no-fetch"),
                "already holds a run");
        assertEquals("{\"epoch\": 1}\n", Files.readString(run.resolve("metrics.jsonl")));
    }

    @Test
    void gpuWithoutAGpuIsAUsageError() {
        org.junit.jupiter.api.Assumptions.assumeTrue(GpuSupport.unavailableReason() != null, "a GPU is present");
        assertUsageError(run("train", "--device", "gpu"), "--device gpu");
    }

    @Test
    void unreadableCheckpointsAreUsageErrors(@TempDir Path dir) throws IOException {
        assertUsageError(run("sample", "--checkpoint", dir.resolve("missing").toString()), "no checkpoint");
        Path bad = dir.resolve("bad");
        Files.createDirectories(bad);
        Files.write(bad.resolve("model.safetensors"), new byte[] {9, 9, 9});
        assertUsageError(run("eval", "--checkpoint", bad.toString(), "--data-dir", dir.toString()), "corrupt");
        assertUsageError(run("sample", "--checkpoint", bad.toString(), "--count", "0"), "--count");
    }

    @Test
    void verboseShowsTheStackTrace(@TempDir Path dir) {
        Run r = run("sample", "--verbose", "--checkpoint", dir.resolve("missing").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("\tat "), r.err());
    }
}
