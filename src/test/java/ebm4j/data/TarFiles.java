package ebm4j.data;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds small ustar archives for tests, header by header. */
final class TarFiles {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Adds a regular file; a name with a '/' puts everything before the last '/' in the ustar prefix when {@code usePrefix}. */
    TarFiles file(String path, byte[] content, boolean usePrefix) {
        String name = path;
        String prefix = "";
        if (usePrefix && path.contains("/")) {
            prefix = path.substring(0, path.lastIndexOf('/'));
            name = path.substring(path.lastIndexOf('/') + 1);
        }
        out.writeBytes(header(name, prefix, content.length, '0'));
        out.writeBytes(content);
        out.writeBytes(new byte[(512 - content.length % 512) % 512]);
        return this;
    }

    TarFiles directory(String path) {
        out.writeBytes(header(path, "", 0, '5'));
        return this;
    }

    /** The archive with its end marker of two zero blocks. */
    byte[] bytes() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(out.toByteArray());
        all.writeBytes(new byte[1024]);
        return all.toByteArray();
    }

    static byte[] header(String name, String prefix, long size, char type) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, String.format("%011o", 0));
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        put(h, 345, prefix);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }
}
