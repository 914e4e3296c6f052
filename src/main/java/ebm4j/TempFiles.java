package ebm4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Temporary files that become outputs by an atomic rename. {@link Files#createTempFile} makes them
 * readable by the owner only (0600), and the rename keeps that, so checkpoints, figures and data
 * would end up unreadable to anyone else; these get the usual 0644 where the file system has
 * POSIX permissions.
 */
public final class TempFiles {
    private TempFiles() {}

    /** A new empty temporary file in {@code dir}, readable by all, writable by the owner. */
    public static Path beside(Path dir, String prefix, String suffix) throws IOException {
        Path tmp = Files.createTempFile(dir, prefix, suffix);
        if (Files.getFileAttributeView(tmp, PosixFileAttributeView.class) != null) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        }
        return tmp;
    }
}
