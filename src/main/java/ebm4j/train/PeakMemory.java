package ebm4j.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;

/**
 * The process's peak resident memory (Linux: {@code VmHWM} in {@code /proc/self/status}), which
 * counts the off-heap buffers of the CPU backend and the JVM's own memory as well as the heap.
 */
final class PeakMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private PeakMemory() {}

    /** Peak resident set size in MiB, or empty where the system does not report it. */
    static OptionalDouble residentMiB() {
        return residentMiB(STATUS);
    }

    static OptionalDouble residentMiB(Path status) {
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    if (parts.length == 2 && parts[1].equals("kB")) {
                        return OptionalDouble.of(Long.parseLong(parts[0]) / 1024.0);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format: no figure rather than a wrong one
        }
        return OptionalDouble.empty();
    }
}
