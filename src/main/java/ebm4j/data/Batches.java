package ebm4j.data;

/**
 * One epoch of mini-batches over a dataset in a given order. Batch {@code b} holds rows
 * {@code order[b*batchSize ..]}; the last batch is shorter unless {@code dropLast}, in which case a
 * partial last batch is skipped (useful where a fixed batch shape is captured once, as in a CUDA
 * graph).
 */
public final class Batches {
    private final Dataset data;
    private final int[] order;
    private final int batchSize;
    private final int count;

    /**
     * @param order the row order, normally {@code Shuffle.permutation(data.count(), seed, epoch)}
     */
    public Batches(Dataset data, int[] order, int batchSize, boolean dropLast) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        }
        if (order.length != data.count()) {
            throw new IllegalArgumentException("order has " + order.length + " rows, dataset " + data.count());
        }
        this.data = data;
        this.order = order;
        this.batchSize = batchSize;
        this.count = count(data.count(), batchSize, dropLast);
    }

    /** A shuffled epoch: {@link Shuffle#permutation} for (seed, epoch). */
    public static Batches shuffled(Dataset data, int batchSize, long seed, int epoch, boolean dropLast) {
        return new Batches(data, Shuffle.permutation(data.count(), seed, epoch), batchSize, dropLast);
    }

    /** Number of batches of {@code batchSize} from {@code n} rows. */
    public static int count(int n, int batchSize, boolean dropLast) {
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Number of batches in this epoch. */
    public int count() {
        return count;
    }

    /** Rows in batch {@code b}. */
    public int rows(int b) {
        checkBatch(b);
        return Math.min(batchSize, order.length - b * batchSize);
    }

    /** The row order of the epoch (the backing array: do not modify). */
    public int[] order() {
        return order;
    }

    /**
     * Copies batch {@code b} into {@code x} (rows, 784) and {@code y} (rows); returns rows.
     */
    public int fill(int b, float[] x, int[] y) {
        int rows = rows(b);
        data.gather(order, b * batchSize, rows, x, y);
        return rows;
    }

    private void checkBatch(int b) {
        if (b < 0 || b >= count) {
            throw new IndexOutOfBoundsException("batch " + b + " of " + count);
        }
    }
}
