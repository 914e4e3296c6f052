package ebm4j.data;

import static ebm4j.data.IdxFiles.gzip;
import static ebm4j.data.IdxFiles.idx;
import static ebm4j.data.IdxFiles.ubyte;
import static ebm4j.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.UserException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsRawFile() {
        Path f = write(dir.resolve("a-idx3-ubyte"), ubyte(2, 3, 5));
        IdxData d = IdxReader.read(f, 3);
        assertArrayEquals(new int[] {2, 3, 5}, d.dims());
        assertEquals(30, d.data().length);
        assertEquals((byte) (29 * 7), d.data()[29]);
        assertEquals("(2, 3, 5)", d.shape());
    }

    @Test
    void readsGzipByMagicNotByName() {
        // No .gz in the name: detection must come from the magic bytes.
        Path f = write(dir.resolve("labels-idx1-ubyte"), gzip(ubyte(11)));
        IdxData d = IdxReader.read(f, 1);
        assertArrayEquals(new int[] {11}, d.dims());
        assertEquals(IdxReader.read(write(dir.resolve("raw"), ubyte(11))), d);
    }

    @Test
    void readsEmptyPayload() {
        IdxData d = IdxReader.read(write(dir.resolve("empty-idx1"), ubyte(0)));
        assertEquals(0, d.count());
        assertEquals(0, d.data().length);
    }

    @Test
    void rejectsWrongMagic() {
        byte[] bytes = ubyte(4);
        bytes[1] = 1;
        assertRejected("bad-magic", bytes, "not an IDX file");
    }

    @Test
    void rejectsWrongType() {
        assertRejected("float-type", idx(0x0D, new int[] {1}, new byte[4]), "0x0d");
    }

    @Test
    void rejectsWrongDimensionCount() {
        Path f = write(dir.resolve("two-dims"), ubyte(2, 2));
        UserException e = assertThrows(UserException.class, () -> IdxReader.read(f, 3));
        assertMentions(e, f, "2 dimensions, expected 3");
        assertRejected("zero-dims", idx(0x08, new int[0], new byte[0]), "0 dimensions");
    }

    @Test
    void rejectsTruncatedPayload() {
        byte[] bytes = ubyte(10);
        assertRejected("truncated", Arrays.copyOf(bytes, bytes.length - 3), "truncated");
        assertRejected("truncated.gz", gzip(Arrays.copyOf(bytes, bytes.length - 3)), "truncated");
    }

    @Test
    void rejectsTruncatedHeader() {
        assertRejected("short", new byte[] {0, 0, 8}, "too short");
        assertRejected("short-dims", Arrays.copyOf(ubyte(2, 2), 9), "truncated IDX header");
    }

    @Test
    void rejectsTrailingBytes() {
        byte[] bytes = Arrays.copyOf(ubyte(10), ubyte(10).length + 5);
        assertRejected("trailing", bytes, "5 unexpected bytes");
        assertRejected("trailing.gz", gzip(bytes), "5 unexpected bytes");
    }

    @Test
    void rejectsCorruptGzip() {
        byte[] gz = gzip(ubyte(200, 3));
        byte[] flipped = gz.clone();
        flipped[gz.length / 2] ^= 0x55; // damage the deflate data (or its CRC check catches it)
        assertRejected("flipped.gz", flipped, "corrupt or truncated gzip");
        assertRejected("cut.gz", Arrays.copyOf(gz, gz.length - 10), "corrupt or truncated gzip");
        byte[] badCrc = gz.clone();
        badCrc[gz.length - 6] ^= 0x01; // inside the CRC-32 of the trailer
        assertRejected("crc.gz", badCrc, "corrupt or truncated gzip");
    }

    @Test
    void missingFileIsAUserException() {
        Path f = dir.resolve("nope");
        UserException e = assertThrows(UserException.class, () -> IdxReader.read(f));
        assertMentions(e, f, "not found");
    }

    private void assertRejected(String name, byte[] bytes, String problem) {
        Path f = write(dir.resolve(name), bytes);
        UserException e = assertThrows(UserException.class, () -> IdxReader.read(f));
        assertMentions(e, f, problem);
    }

    static void assertMentions(UserException e, Path file, String... problems) {
        assertTrue(e.getMessage().contains(file.toString()), () -> "message should name " + file + ": " + e.getMessage());
        for (String problem : problems) {
            assertTrue(e.getMessage().contains(problem), () -> "message should say '" + problem + "': " + e.getMessage());
        }
    }
}
