package ebm4j;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Output paths checked before long work, and write failures as user errors: a folder where a
 * file is wanted, a missing or read-only place, a full disk are problems with the user's
 * environment (exit 2 naming the path), not ebm4j's. The checks write a probe file and delete it,
 * because permissions alone do not tell (read-only mounts, root, full disks of other kinds).
 */
public final class OutputFiles {
    private OutputFiles() {}

    /**
     * Checks that {@code file} can be written, without creating it or any folder.
     *
     * @param option how the user named it, e.g. "--output"
     */
    public static void requireWritableFile(Path file, String option) {
        if (Files.isDirectory(file)) {
            throw new UserException(option + " " + file + " is a folder; give a file name, such as "
                    + file.resolve("samples.png"));
        }
        Path parent = file.toAbsolutePath().getParent();
        Path existing = parent;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw new UserException("cannot write " + option + " " + file + ": " + existing + " is not a folder");
        }
        probe(existing, option + " " + file);
    }

    /**
     * Creates {@code dir} (and its parents) if needed and checks that files can be written in it.
     *
     * @param option how the user named it, e.g. "--out"
     */
    public static void requireWritableFolder(Path dir, String option) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UserException(option + " " + dir + " is a file, not a folder");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw cannotWrite(dir, e);
        }
        probe(dir, option + " " + dir);
    }

    /** The user error for a failed write of {@code target}: its path and why, in words. */
    public static UserException cannotWrite(Path target, IOException e) {
        return new UserException("cannot write " + target + ": " + reason(e), e);
    }

    /** Why an I/O operation failed, without the exception's class name. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or folder (" + e.getMessage() + ")";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied (" + e.getMessage() + ")";
        }
        if (e instanceof NotDirectoryException) {
            return e.getMessage() + " is not a folder";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() == null ? "" : " (" + f.getFile() + ")");
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void probe(Path dir, String what) {
        try {
            Path probe = TempFiles.beside(dir, ".ebm4j-write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new UserException("cannot write " + what + ": " + (e instanceof IOException io ? reason(io)
                    : e.getMessage()));
        }
    }
}
