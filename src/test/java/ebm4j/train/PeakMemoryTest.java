package ebm4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeakMemoryTest {
    @Test
    void readsVmHwmInMiB(@TempDir Path dir) throws IOException {
        Path status = Files.writeString(dir.resolve("status"),
                "Name:\tjava\nVmPeak:\t 9999999 kB\nVmHWM:\t  1572864 kB\nVmRSS:\t 1000 kB\n");
        assertEquals(1536.0, PeakMemory.residentMiB(status).orElseThrow(), 0.0);
    }

    @Test
    void noFigureFromAMissingOrOddFile(@TempDir Path dir) throws IOException {
        assertTrue(PeakMemory.residentMiB(dir.resolve("absent")).isEmpty());
        assertTrue(PeakMemory.residentMiB(Files.writeString(dir.resolve("odd"), "VmHWM: lots\n")).isEmpty());
    }

    @Test
    void thisProcessesPeakGrowsWhenItTouchesMemory() {
        if (!Files.isReadable(Path.of("/proc/self/status"))) {
            return; // not Linux: nothing to read (residentMiB is empty there, checked above)
        }
        double before = currentResidentMiB();
        java.nio.ByteBuffer touched = java.nio.ByteBuffer.allocateDirect(256 << 20);
        for (int i = 0; i < touched.capacity(); i += 4096) {
            touched.put(i, (byte) 1);
        }
        double after = PeakMemory.residentMiB().orElseThrow();
        assertTrue(after - before >= 200, "resident " + before + " MiB, then a peak of " + after
                + " MiB after touching 256 MiB");
    }

    /** VmRSS, what is resident now (the peak can only be higher). */
    private static double currentResidentMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) / 1024.0;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new AssertionError("no VmRSS line");
    }
}
