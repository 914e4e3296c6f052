package ebm4j.compute.cuda;

/**
 * A finding of the kernel emulator's sanitizer (an out-of-bounds or freed access, a read of
 * never-written memory, a shared-memory race, barrier divergence), as {@link EmulatedDevice}
 * throws it from the launch or transfer that made it. The message is the emulator's: the kernel,
 * the buffer by its parameter name, the index, the block and thread.
 */
final class KernelSanitizerException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    KernelSanitizerException(String findings) {
        super("kernel sanitizer: " + findings);
    }
}
