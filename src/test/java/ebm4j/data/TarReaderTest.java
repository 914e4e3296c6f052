package ebm4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TarReaderTest {
    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

    @Test
    void readsEntriesNamesSizesAndContent() throws IOException {
        byte[] big = new byte[1300]; // spans blocks and needs padding
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        byte[] tar = new TarFiles()
                .directory("package/")
                .file("package/readme.md", HELLO, false)
                .file("package/data/train-labels-idx1-ubyte", big, true)
                .file("package/empty", new byte[0], false)
                .bytes();
        TarReader r = new TarReader(new ByteArrayInputStream(tar));

        TarReader.Entry dir = r.next();
        assertEquals("package/", dir.name());
        assertFalse(dir.isFile());

        TarReader.Entry readme = r.next();
        assertEquals(new TarReader.Entry("package/readme.md", 5, '0'), readme);
        // Not reading the content: next() must skip it and its padding.

        TarReader.Entry data = r.next();
        assertEquals("package/data/train-labels-idx1-ubyte", data.name(), "ustar prefix joined with '/'");
        assertEquals(1300, data.size());
        assertArrayEquals(big, r.content().readAllBytes());

        TarReader.Entry empty = r.next();
        assertEquals(0, empty.size());
        assertEquals(0, r.content().readAllBytes().length);
        assertNull(r.next());
    }

    @Test
    void partlyReadContentDoesNotDisturbTheNextEntry() throws IOException {
        byte[] tar = new TarFiles().file("a", new byte[700], false).file("b", HELLO, false).bytes();
        TarReader r = new TarReader(new ByteArrayInputStream(tar));
        r.next();
        r.content().readNBytes(100);
        assertEquals("b", r.next().name());
        assertArrayEquals(HELLO, r.content().readAllBytes());
    }

    @Test
    void archiveWithoutEndMarkerEnds() throws IOException {
        byte[] tar = new TarFiles().file("a", HELLO, false).bytes();
        TarReader r = new TarReader(new ByteArrayInputStream(Arrays.copyOf(tar, 1024)));
        assertEquals("a", r.next().name());
        assertNull(r.next());
    }

    @Test
    void rejectsDamagedHeader() {
        byte[] tar = new TarFiles().file("a", HELLO, false).bytes();
        tar[3] ^= 0x20; // a name byte changes, the checksum no longer matches
        IOException e = assertThrows(IOException.class, () -> new TarReader(new ByteArrayInputStream(tar)).next());
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void rejectsTruncatedArchive() throws IOException {
        byte[] tar = new TarFiles().file("a", new byte[2000], false).bytes();
        TarReader r = new TarReader(new ByteArrayInputStream(Arrays.copyOf(tar, 512 + 1000)));
        r.next();
        assertThrows(IOException.class, () -> r.content().readAllBytes());
        TarReader half = new TarReader(new ByteArrayInputStream(Arrays.copyOf(tar, 300)));
        assertThrows(IOException.class, half::next);
    }
}
