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
        String device = options.device.toLowerCase(java.util.Locale.ROOT);
        if (!device.equals("auto") && !device.equals("cpu") && !device.equals("gpu")) {
            throw new UserException("--device must be auto, cpu or gpu, got '" + options.device + "'");
        }
        if (options.threads < 0) {
            throw new UserException("--threads must be >= 0, got " + options.threads);
        }
        String why = device.equals("gpu") ? GpuSupport.unavailableReason() : null;
        if (why != null) {
            throw new UserException("--device gpu: " + why + "; use --device cpu or auto");
        }
    }

    static Backend open(CommonOptions options, Consumer<String> log) {
        check(options);
        String device = options.device.toLowerCase(java.util.Locale.ROOT);
        switch (device) {
            case "cpu":
                return cpu(options);
            case "gpu":
            case "auto":
                String why = GpuSupport.unavailableReason();
                if (why == null) {
                    return GpuSupport.open();
                }
                if (device.equals("gpu")) {
                    throw new UserException("--device gpu: " + why + "; use --device cpu or auto");
                }
                log.accept("no usable GPU (" + why + "): running on the CPU");
                return cpu(options);
            default:
                throw new UserException("--device must be auto, cpu or gpu, got '" + options.device + "'");
        }
    }

    private static Backend cpu(CommonOptions options) {
        return options.threads == 0 ? new CpuBackend()
                : new CpuBackend(options.threads, ebm4j.compute.cpu.GemmChoice.AUTO);
    }
}
