package ebm4j.cli;

import java.util.Locale;
import picocli.CommandLine.Option;

/** Options every command that computes shares: the device, CPU threads, stack traces. */
final class CommonOptions {
    /** Which backend computes. */
    enum Device {
        /** The GPU when one is usable, else the CPU (with one line saying why). */
        AUTO,
        CPU,
        /** The GPU, or exit 2 naming what is missing. */
        GPU;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE",
            description = "${COMPLETION-CANDIDATES}: auto uses the GPU when usable, else the CPU. Default: ${DEFAULT-VALUE}.")
    Device device;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "CPU worker threads (0 = all cores). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--verbose", description = "Show stack traces for errors.")
    boolean verbose;
}
