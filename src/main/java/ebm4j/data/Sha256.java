package ebm4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** SHA-256 as lower-case hex, the form of {@code sha256sum} and our checksum constants. */
final class Sha256 {
    private Sha256() {}

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide SHA-256", e);
        }
    }

    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** An unmodifiable, ordered map from alternating {@code name, hex} arguments. */
    static Map<String, String> table(String... nameHex) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < nameHex.length; i += 2) {
            m.put(nameHex[i], nameHex[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** Hash of everything {@code in} delivers (the caller closes it). */
    static String of(InputStream in) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) != -1; ) {
            digest.update(buf, 0, n);
        }
        return hex(digest);
    }

    /** Hash of the file's bytes as stored (not decompressed). */
    static String ofFile(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return of(in);
        }
    }

    /** Hash of the file's content, gunzipped first when it is gzip. */
    static String ofContent(Path file) throws IOException {
        try (InputStream in = IdxReader.open(file)) {
            return of(in);
        }
    }
}
