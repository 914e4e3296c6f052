package ebm4j.model;

import java.util.Arrays;

/**
 * One named tensor inside a model's flat parameter buffer: its checkpoint name, its shape, and
 * the element offset where it starts.
 */
public record TensorSpec(String name, long[] shape, long offset) {
    public TensorSpec {
        shape = shape.clone();
    }

    /** Elements in the tensor. */
    public long size() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && Arrays.equals(t.shape, shape) && t.offset == offset;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + Arrays.hashCode(shape)) + Long.hashCode(offset);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + "@" + offset;
    }
}
