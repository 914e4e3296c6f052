package ebm4j.cli;

import ebm4j.UserException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ebm4j} command. Exit codes: 0 success, 1 internal failure, 2 bad usage or bad input
 * (one line on stderr, no stack trace unless --verbose), 130/143 when stopped by SIGINT/SIGTERM
 * after saving a checkpoint.
 */
@Command(name = "ebm4j", mixinStandardHelpOptions = true, versionProvider = Version.class,
        header = "Joint energy-based model of MNIST: a classifier that also generates digits.",
        description = "Trains an MLP whose 10 scores classify digits and whose LogSumExp is an image "
                + "energy sampled by Langevin dynamics, on the GPU (JCuda, CUDA kernels, cuBLAS) or the CPU.",
        subcommands = {TrainCommand.class, SampleCommand.class, EvalCommand.class, CompareCommand.class,
                BenchCommand.class, DataCommand.class, InfoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: give one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs one command line and returns its exit code. Running out of Java heap is an Error that
     * picocli lets through: it becomes one line naming the limit and how to raise it (exit 2, as
     * for any other limit the user can change), not a JVM stack trace.
     */
    static int execute(String[] args, PrintWriter out, PrintWriter err) {
        try {
            return newCommandLine(out, err).execute(args);
        } catch (OutOfMemoryError e) {
            err.println("ebm4j: error: " + outOfHeap(Runtime.getRuntime().maxMemory()));
            return EXIT_USAGE;
        }
    }

    /** The one-line message for a command that ran out of a heap of {@code maxBytes}. */
    static String outOfHeap(long maxBytes) {
        long mib = maxBytes >> 20;
        return "the command needs more Java heap than this JVM's " + mib + " MiB: raise it, e.g. EBM4J_JAVA_OPTS=-Xmx"
                + Math.max(1, 2 * mib / 1024 + 1) + "g ./ebm4j ... (or java -Xmx... -jar target/ebm4j.jar ...)";
    }

    /**
     * Enumerated options are written in lower case on the command line and in help; a wrong value
     * is refused with the lower-case choices (picocli's own message lists the constants' names).
     */
    private static <E extends Enum<E>> void registerLowerCase(CommandLine cl, Class<E> type) {
        cl.registerConverter(type, text -> {
            for (E c : type.getEnumConstants()) {
                if (c.name().equalsIgnoreCase(text.trim())) {
                    return c;
                }
            }
            List<String> names = new ArrayList<>();
            for (E c : type.getEnumConstants()) {
                names.add(c.name().toLowerCase(Locale.ROOT));
            }
            throw new CommandLine.TypeConversionException("expected one of " + String.join(", ", names)
                    + ", got '" + text + "'");
        });
    }

    /** The command line used by main and by the tests, with ebm4j's error handling installed. */
    public static CommandLine newCommandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        registerLowerCase(cl, CommonOptions.Device.class);
        registerLowerCase(cl, ModelOptions.Start.class);
        registerLowerCase(cl, TrainCommand.OnDivergence.class);
        registerLowerCase(cl, BenchCommand.Devices.class);
        registerLowerCase(cl, BenchCommand.TorchDevice.class);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || (parseResult.subcommand() != null && parseResult.subcommand().hasMatchedOption("--verbose"));
            Throwable root = ex;
            if (root instanceof UserException) {
                commandLine.getErr().println("ebm4j: error: " + root.getMessage());
                if (verbose) {
                    root.printStackTrace(commandLine.getErr());
                }
                return EXIT_USAGE;
            }
            commandLine.getErr().println("ebm4j: internal error: " + root
                    + (verbose ? "" : " (run with --verbose for the stack trace)"));
            if (verbose) {
                root.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("ebm4j: error: " + ex.getMessage());
            c.getErr().println("run '" + c.getCommandSpec().qualifiedName() + " --help' for usage");
            return EXIT_USAGE;
        });
        return cl;
    }
}
