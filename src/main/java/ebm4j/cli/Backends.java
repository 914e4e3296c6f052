package ebm4j.cli;

import ebm4j.UserException;
import ebm4j.compute.Backend;
import ebm4j.compute.cpu.CpuBackend;
import java.util.function.Consumer;

/** Chooses and opens the backend for --device auto|cpu|gpu. */
final class Backends {
    private Backends() {}

    /** Fails fast (before data is loaded) when the requested device cannot be used. */
    static void check(CommonOptions options) {
        if (options.threads < 0) {
            throw new UserException("--threads must be >= 0, got " + options.threads);
        }
        String why = options.device == CommonOptions.Device.GPU ? GpuSupport.unavailableReason() : null;
        if (why != null) {
            throw new UserException("--device gpu: " + why + "; use --device cpu or auto");
        }
    }

    static Backend open(CommonOptions options, Consumer<String> log) {
        check(options);
        if (options.device == CommonOptions.Device.CPU) {
            return cpu(options);
        }
        String why = GpuSupport.unavailableReason();
        if (why == null) {
            return GpuSupport.open();
        }
        if (options.device == CommonOptions.Device.GPU) {
            throw new UserException("--device gpu: " + why + "; use --device cpu or auto");
        }
        log.accept("no usable GPU (" + why + "): running on the CPU");
        return cpu(options);
    }

    private static Backend cpu(CommonOptions options) {
        return options.threads == 0 ? new CpuBackend()
                : new CpuBackend(options.threads, ebm4j.compute.cpu.GemmChoice.AUTO);
    }
}
