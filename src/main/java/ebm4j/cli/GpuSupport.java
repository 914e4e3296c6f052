package ebm4j.cli;

import ebm4j.compute.Backend;

/** The CLI's view of the CUDA backend. */
final class GpuSupport {
    private GpuSupport() {}

    /** null when a GPU backend can be opened, else a one-line reason. */
    static String unavailableReason() {
        return "the CUDA backend is not built yet";
    }

    static String describe() {
        try (Backend b = open()) {
            return b.describe();
        }
    }

    static Backend open() {
        throw new IllegalStateException(unavailableReason());
    }
}
