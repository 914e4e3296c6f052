package ebm4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ebm4j.report.ImageGrid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempFilesTest {
    /** Outputs written through a temporary file and a rename are readable by others, as a plain write would be. */
    @Test
    void atomicallyWrittenOutputsAreWorldReadable(@TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null,
                "no POSIX permissions on this file system");
        Path tmp = TempFiles.beside(dir, ".x", ".tmp");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp)));

        Path png = dir.resolve("grid.png");
        ImageGrid.write(png, new float[2 * 784], 2, 2, 28, 28, 1);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(png)));
    }
}
