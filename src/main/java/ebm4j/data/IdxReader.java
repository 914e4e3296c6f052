package ebm4j.data;

import ebm4j.UserException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files of unsigned bytes, raw or gzipped. The header is two zero bytes, the type byte
 * (0x08 = unsigned byte), the number of dimensions, then one big-endian 32-bit size per dimension;
 * the payload must hold exactly the product of the sizes. Gzip is recognised by its magic bytes,
 * not by the file name, so a renamed file still reads.
 */
public final class IdxReader {
    /** The type byte of unsigned-byte data, the only type MNIST-format files use. */
    public static final int TYPE_UNSIGNED_BYTE = 0x08;

    private static final int GZIP_MAGIC_0 = 0x1f;
    private static final int GZIP_MAGIC_1 = 0x8b;
    /** Enough for any sensible tensor; a larger header value means a wrong or damaged file. */
    private static final int MAX_DIMS = 8;

    private IdxReader() {}

    /** Reads {@code file}, whatever its number of dimensions. */
    public static IdxData read(Path file) {
        return read(file, -1);
    }

    /**
     * Reads {@code file} and checks it has {@code expectedDims} dimensions ({@code -1}: any).
     *
     * @throws UserException naming the file when it is missing, unreadable, not IDX, of another type or
     *     rank, corrupt gzip, or when its payload is shorter or longer than its header says
     */
    public static IdxData read(Path file, int expectedDims) {
        try (InputStream in = open(file)) {
            return parse(in, file, expectedDims);
        } catch (NoSuchFileException e) {
            throw new UserException(file + ": file not found");
        } catch (ZipException | EOFException e) {
            // parse() reads with readNBytes, which reports a short raw file as a short count, so an
            // EOFException (like a ZipException) can only come from a damaged gzip stream.
            throw new UserException(file + ": corrupt or truncated gzip data (" + e.getMessage()
                    + "); delete the file and fetch or copy it again");
        } catch (IOException e) {
            throw new UserException(file + ": cannot read: " + e, e);
        }
    }

    /** Opens the file, decompressing when it starts with the gzip magic. */
    static InputStream open(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        boolean gzip = in.read() == GZIP_MAGIC_0 && in.read() == GZIP_MAGIC_1;
        in.reset();
        return gzip ? new GZIPInputStream(in, 1 << 16) : in;
    }

    private static IdxData parse(InputStream in, Path file, int expectedDims) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new UserException(file + ": too short for an IDX header (" + magic.length
                    + " bytes); the file is empty or truncated, fetch or copy it again");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new UserException(String.format("%s: not an IDX file (starts with %02x %02x, expected 00 00);"
                    + " point the data folder at MNIST-format IDX files", file, magic[0] & 0xff, magic[1] & 0xff));
        }
        int type = magic[2] & 0xff;
        if (type != TYPE_UNSIGNED_BYTE) {
            throw new UserException(String.format("%s: IDX data type 0x%02x is not supported, only 0x08"
                    + " (unsigned byte) as in MNIST; convert the file or use the original", file, type));
        }
        int rank = magic[3] & 0xff;
        if (rank < 1 || rank > MAX_DIMS || (expectedDims >= 0 && rank != expectedDims)) {
            String wanted = expectedDims >= 0 ? String.valueOf(expectedDims) : "1.." + MAX_DIMS;
            throw new UserException(file + ": has " + rank + " dimensions, expected " + wanted
                    + " (images have 3, labels 1); is this the right file?");
        }
        byte[] header = in.readNBytes(4 * rank);
        if (header.length < 4 * rank) {
            throw new UserException(file + ": truncated IDX header; fetch or copy the file again");
        }
        int[] dims = new int[rank];
        long size = 1;
        for (int d = 0; d < rank; d++) {
            int i = 4 * d;
            dims[d] = (header[i] & 0xff) << 24 | (header[i + 1] & 0xff) << 16 | (header[i + 2] & 0xff) << 8 | (header[i + 3] & 0xff);
            if (dims[d] < 0) {
                throw new UserException(file + ": dimension " + d + " is " + Integer.toUnsignedString(dims[d])
                        + ", too large; the header is damaged");
            }
            size *= dims[d];
            if (size > Integer.MAX_VALUE - 8) {
                throw new UserException(file + ": header claims more than 2 GiB of data; the header is damaged");
            }
        }
        // readNBytes grows its buffer as data arrives, so a damaged header cannot make us allocate
        // gigabytes for a small file.
        byte[] data = in.readNBytes((int) size);
        IdxData idx = new IdxData(dims, data);
        if (data.length < size) {
            throw new UserException(file + ": truncated: header " + idx.shape() + " needs " + size
                    + " data bytes, found " + data.length + "; fetch or copy the file again");
        }
        if (in.read() != -1) {
            long extra = 1 + in.transferTo(OutputStream.nullOutputStream());
            throw new UserException(file + ": " + extra + " unexpected bytes after the " + size
                    + " data bytes of shape " + idx.shape() + "; the file is damaged or not IDX");
        }
        return idx;
    }
}
