package ebm4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal reader of (uncompressed) tar streams, enough for npm package tarballs: 512-byte
 * headers with the name, octal size, type flag and the ustar name prefix; the header checksum is
 * verified. Long names from GNU or pax extension records are not interpreted: those records are
 * returned as entries of their own type ({@code 'L'}, {@code 'x'}) and can be skipped.
 *
 * <pre>
 * for (TarReader.Entry e; (e = tar.next()) != null; ) { if (e.isFile()) use(tar.content()); }
 * </pre>
 */
final class TarReader {
    private static final int BLOCK = 512;

    /** One member: its path (prefix joined), size in bytes and type flag ({@code '0'} = file). */
    record Entry(String name, long size, char type) {
        boolean isFile() {
            return type == '0' || type == '\0';
        }
    }

    private final InputStream in;
    /** Bytes of the current entry not yet consumed, and the zero padding after them. */
    private long remaining;
    private long padding;

    TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. Skips what is left of the current one. */
    Entry next() throws IOException {
        in.skipNBytes(remaining + padding);
        remaining = 0;
        padding = 0;
        byte[] h = in.readNBytes(BLOCK);
        if (h.length == 0 || isZero(h)) {
            return null; // the end marker (two zero blocks), or an archive that omits it
        }
        if (h.length < BLOCK) {
            throw new IOException("tar: truncated header (" + h.length + " of " + BLOCK + " bytes)");
        }
        long stored = parseNumber(h, 148, 8);
        long actual = checksum(h);
        if (stored != actual) {
            throw new IOException("tar: header checksum " + stored + " does not match " + actual + "; the archive is damaged");
        }
        String name = text(h, 0, 100);
        boolean ustar = text(h, 257, 6).startsWith("ustar");
        String prefix = ustar ? text(h, 345, 155) : "";
        if (!prefix.isEmpty()) {
            name = prefix + "/" + name;
        }
        long size = parseNumber(h, 124, 12);
        if (size < 0) {
            throw new IOException("tar: negative size for " + name);
        }
        char type = (char) (h[156] & 0xff);
        remaining = size;
        padding = (BLOCK - size % BLOCK) % BLOCK;
        return new Entry(name, size, type);
    }

    /** The content of the current entry; reading it (fully or not) does not disturb {@link #next}. */
    InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                if (remaining == 0) {
                    return -1;
                }
                int b = in.read();
                if (b < 0) {
                    throw new IOException("tar: archive ends inside an entry");
                }
                remaining--;
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (remaining == 0) {
                    return -1;
                }
                int n = in.read(buf, off, (int) Math.min(len, remaining));
                if (n < 0) {
                    throw new IOException("tar: archive ends inside an entry");
                }
                remaining -= n;
                return n;
            }
        };
    }

    /** Sum of the header bytes with the checksum field counted as eight spaces (POSIX). */
    private static long checksum(byte[] h) {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        }
        return sum;
    }

    /** An octal field (NUL/space padded), or GNU base-256 when the high bit of the first byte is set. */
    private static long parseNumber(byte[] h, int off, int len) throws IOException {
        if ((h[off] & 0x80) != 0) {
            long v = h[off] & 0x7f;
            for (int i = off + 1; i < off + len; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        String s = text(h, off, len).trim();
        if (s.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new IOException("tar: bad octal number '" + s + "' in a header; the archive is damaged");
        }
    }

    /** A NUL-terminated field. */
    private static String text(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
