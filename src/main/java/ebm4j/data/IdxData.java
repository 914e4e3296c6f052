package ebm4j.data;

import java.util.Arrays;

/**
 * The contents of one unsigned-byte IDX file.
 *
 * @param dims the sizes from the header, outermost first, e.g. {@code (n, 28, 28)} for images
 * @param data the payload, row-major, exactly {@code product(dims)} bytes
 */
public record IdxData(int[] dims, byte[] data) {

    /** The number of items along the first dimension (images or labels). */
    public int count() {
        return dims.length == 0 ? 0 : dims[0];
    }

    /** The dimensions as text, e.g. {@code (60000, 28, 28)}, for messages. */
    public String shape() {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            s.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return s.append(')').toString();
    }

    // Records compare arrays by identity; these compare contents, which is what callers mean.
    @Override
    public boolean equals(Object o) {
        return o instanceof IdxData other && Arrays.equals(dims, other.dims) && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(dims) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "IdxData" + shape();
    }
}
