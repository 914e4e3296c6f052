package ebm4j.cli;

import picocli.CommandLine.Option;

/** Options every command that computes shares. */
final class CommonOptions {
    @Option(names = "--device", defaultValue = "auto",
            description = "auto (GPU when usable, else CPU), cpu, or gpu. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", defaultValue = "0",
            description = "CPU worker threads (0 = all cores). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--verbose", description = "Show stack traces for errors.")
    boolean verbose;
}
