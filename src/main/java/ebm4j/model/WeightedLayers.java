package ebm4j.model;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import java.util.List;

/**
 * What every model made of layers with a weight and a bias shares: the flat parameter and
 * gradient buffers laid out by its {@link ModelType}, a view of each layer's weight and bias in
 * both, the row check and the seeded initialisation. A model adds its workspace, forward and
 * backward passes; its type's tensors must come in (weight, bias) pairs, one pair per layer in
 * the order of its passes.
 */
abstract class WeightedLayers implements EnergyModel {
    final Backend backend;
    final ModelSpec spec;
    final int capacity;
    final Buf params;
    final Buf grads;
    // Views made once: the sampler calls forward/backward thousands of times per epoch.
    final Buf[] weights;
    final Buf[] biases;
    final Buf[] weightGrads;
    final Buf[] biasGrads;
    private final ModelType type;
    private final long size;

    WeightedLayers(Backend backend, ModelType type, ModelSpec spec, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.backend = backend;
        this.type = type;
        this.spec = spec;
        this.capacity = capacity;
        List<TensorSpec> tensors = type.tensors(spec);
        long end = 0;
        for (TensorSpec t : tensors) {
            end = Math.max(end, t.offset() + t.size());
        }
        size = end;
        params = backend.alloc(size);
        grads = backend.alloc(size);
        int layers = tensors.size() / 2;
        weights = new Buf[layers];
        biases = new Buf[layers];
        weightGrads = new Buf[layers];
        biasGrads = new Buf[layers];
        for (int l = 0; l < layers; l++) {
            TensorSpec w = tensors.get(2 * l), b = tensors.get(2 * l + 1);
            weights[l] = params.slice(w.offset(), w.size());
            biases[l] = params.slice(b.offset(), b.size());
            weightGrads[l] = grads.slice(w.offset(), w.size());
            biasGrads[l] = grads.slice(b.offset(), b.size());
        }
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public Buf params() {
        return params;
    }

    @Override
    public Buf grads() {
        return grads;
    }

    @Override
    public long parameterCount() {
        return size;
    }

    @Override
    public void initialise(long seed) {
        backend.upload(params, type.initialParameters(spec, seed));
    }

    void checkRows(int rows) {
        if (rows < 1 || rows > capacity) {
            throw new IllegalArgumentException("rows " + rows + " outside [1, " + capacity + "]");
        }
    }

    /** Frees the model's own workspace; the parameter and gradient buffers are freed here. */
    abstract void closeWorkspace();

    @Override
    public final void close() {
        try {
            closeWorkspace();
        } finally {
            params.close();
            grads.close();
        }
    }
}
