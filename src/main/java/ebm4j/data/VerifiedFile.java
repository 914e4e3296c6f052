package ebm4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * Puts downloaded content on disk only when its SHA-256 is right. The bytes go to a temporary file
 * in the target folder (so the final move is a rename on the same file system) and replace nothing:
 * an interrupted or wrong download never leaves a half or bad file under the real name.
 */
final class VerifiedFile {
    private VerifiedFile() {}

    /**
     * Copies {@code content} to {@code target} if its SHA-256 equals {@code expectedSha256}.
     *
     * @throws IOException on a read or write failure, or a hash mismatch (nothing is left behind)
     */
    static void install(InputStream content, Path target, String expectedSha256) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = ebm4j.TempFiles.beside(dir, "." + target.getFileName() + ".", ".part");
        try {
            MessageDigest digest = Sha256.newDigest();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), digest)) {
                content.transferTo(out);
            }
            String actual = Sha256.hex(digest);
            if (!actual.equals(expectedSha256)) {
                throw new IOException("SHA-256 of the received " + target.getFileName() + " is " + actual
                        + ", expected " + expectedSha256);
            }
            if (Files.exists(target)) {
                return; // someone else installed it meanwhile; never replace an existing file
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
