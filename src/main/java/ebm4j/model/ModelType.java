package ebm4j.model;

import ebm4j.compute.Backend;
import java.util.List;

/**
 * A kind of model, registered in {@link Models} under {@link #name()}: what the {@code model}
 * hyperparameter names. It lays out a spec's parameters without a device (so checkpoints are
 * checked before anything is allocated), draws initial parameters, and builds the model.
 */
public interface ModelType {
    /** The registered name, e.g. {@code mlp}. */
    String name();

    /** One line for logs and help. */
    String describe(ModelSpec spec);

    /**
     * The parameter tensors in buffer order, with their checkpoint names and shapes.
     *
     * @throws IllegalArgumentException when the spec is not a valid instance of this kind
     */
    List<TensorSpec> tensors(ModelSpec spec);

    /** Initial parameters, a pure function of (spec, seed) drawn on the host. */
    float[] initialParameters(ModelSpec spec, long seed);

    /** The model on {@code backend}, with workspace for {@code capacity} rows per pass. */
    EnergyModel create(Backend backend, ModelSpec spec, int capacity);

    /** Total parameters of a spec. */
    default long parameterCount(ModelSpec spec) {
        long n = 0;
        for (TensorSpec t : tensors(spec)) {
            n = Math.addExact(n, t.size());
        }
        return n;
    }
}
