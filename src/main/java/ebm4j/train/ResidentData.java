package ebm4j.train;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.IntBuf;
import ebm4j.data.Dataset;

/**
 * A training set uploaded once to the backend (images, labels) plus the permutation buffer that
 * {@link TrainStep} gathers batches through, so no batch crosses the host-device boundary.
 */
public final class ResidentData implements AutoCloseable {
    private final Backend backend;
    private final int count;
    private final Buf images;
    private final IntBuf labels;
    private final IntBuf order;

    public ResidentData(Backend backend, Dataset data) {
        this.backend = backend;
        this.count = data.count();
        images = backend.alloc((long) count * data.pixels());
        labels = backend.allocInt(count);
        order = backend.allocInt(count);
        backend.upload(images, 0, data.images(), 0, data.images().length);
        backend.uploadInt(labels, 0, data.labels(), 0, count);
    }

    public int count() {
        return count;
    }

    /** Sets the row order that batches are gathered in (a permutation of [0, count)). */
    public void setOrder(int[] permutation) {
        backend.uploadInt(order, 0, permutation, 0, count);
    }

    /** Queues one training step on {@code rows} images at the step's cursor. */
    public void enqueue(TrainStep step, int rows) {
        step.enqueue(rows, images, labels, order);
    }

    @Override
    public void close() {
        images.close();
        labels.close();
        order.close();
    }
}
