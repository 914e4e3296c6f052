package ebm4j;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Temporary files that become outputs by an atomic rename, so a reader never sees half a file.
 * {@link Files#createTempFile} makes them readable by the owner only (0600), and the rename keeps
 * that, so checkpoints, figures and data would end up unreadable to anyone else; these get the
 * usual 0644 where the file system has POSIX permissions.
 */
public final class TempFiles {
    private TempFiles() {}

    /**
     * Names of the temporary files {@link #beside} makes: the prefix starts with a dot, then
     * {@link Files#createTempFile}'s random digits, then the suffix ({@code .tmp}, or {@code .part}
     * for images). A file by this pattern in a folder ebm4j owns is a leftover of a killed process.
     */
    private static final java.util.regex.Pattern TEMPORARY = java.util.regex.Pattern.compile("\\..*\\d+\\.(tmp|part)");

    /** True when {@code file}'s name is one {@link #beside} gives (a leftover when no process is writing it). */
    public static boolean isTemporary(Path file) {
        return file.getFileName() != null && TEMPORARY.matcher(file.getFileName().toString()).matches();
    }

    /** A new empty temporary file in {@code dir}, readable by all, writable by the owner. */
    public static Path beside(Path dir, String prefix, String suffix) throws IOException {
        Path tmp = Files.createTempFile(dir, prefix, suffix);
        if (Files.getFileAttributeView(tmp, PosixFileAttributeView.class) != null) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        }
        return tmp;
    }

    /** Writes {@code text} (UTF-8) to {@code target} through a temporary file beside it and a rename. */
    public static void writeString(Path target, String text) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = beside(dir, "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, java.nio.charset.StandardCharsets.UTF_8);
            replace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Renames a finished temporary file over {@code target}: atomically where the file system can. */
    public static void replace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
