package ebm4j.model;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;

/**
 * The model seam: a network that gives {@link #outputs()} scores per input row, written once
 * against {@link Backend}. Its scores are a classifier's logits, and their LogSumExp is the image
 * energy the samplers descend. Training needs a forward pass that keeps what the backward pass
 * uses, and a backward pass that gives the parameter gradients, the input gradient, or both.
 * The parameters live in one flat buffer (one Adam launch updates them all), laid out as
 * {@link ModelType#tensors} says. {@code ModelContractTest} holds every implementation to this
 * contract (gradients against finite differences, layout, capacity, determinism).
 *
 * <p>Shapes: x (rows, inputs), scores and dScores (rows, outputs), dx (rows, inputs), features
 * (rows, featureWidth).
 *
 * <p>Every model ends in an affine output layer whose weight (outputs, featureWidth) and bias
 * (outputs) are the last two tensors of its layout; {@link #features} exposes that layer's input,
 * the space in which {@code eval} measures the Fréchet distance between samples and real images.
 */
public interface EnergyModel extends AutoCloseable {
    ModelSpec spec();

    Backend backend();

    /** Values per input row. */
    default int inputs() {
        return spec().inputs();
    }

    /** Scores per row (the number of classes). */
    default int outputs() {
        return spec().classes();
    }

    /** The most rows one pass takes (the size of the activation workspace). */
    int capacity();

    /** The flat parameter buffer, laid out as {@link ModelType#tensors}. */
    Buf params();

    /** The gradient of the loss with respect to {@link #params()}, written by {@link #backward}. */
    Buf grads();

    /** Elements of {@link #params()}. */
    long parameterCount();

    /** Uploads the initial parameters drawn from {@code seed} (identical on every backend). */
    void initialise(long seed);

    /** scores (rows, outputs) = net(x). Returns a view of the scores, valid until the next forward. */
    Buf forward(Buf x, int rows);

    /** Values per row of {@link #features}: the width of the output layer's input. */
    int featureWidth();

    /**
     * Runs the forward pass (as {@link #forward}) and returns the features of each row, (rows,
     * featureWidth): the input of the output layer, so that scores = features . W^T + b with W and b
     * the last two tensors of the layout (for an MLP, its last hidden layer after the activation).
     * A view, valid until the next forward pass.
     */
    Buf features(Buf x, int rows);

    /**
     * Back-propagates dScores through the last forward pass (same x and rows). With
     * {@code weightGrads} it overwrites {@link #grads()}; with {@code dx} non-null it writes dL/dx
     * there. The sampler needs only dx, training only the parameter gradients.
     */
    void backward(Buf dScores, int rows, Buf x, boolean weightGrads, Buf dx);

    /** A scratch buffer for dScores, (capacity, outputs), owned by the caller. */
    default Buf newScoresBuffer() {
        return backend().alloc((long) capacity() * outputs());
    }

    /** Multiply-adds of one forward pass for one row (for FLOP rates). */
    double forwardMacsPerRow();

    /** Multiply-adds of one backward pass for one row, with the given outputs (for FLOP rates). */
    double backwardMacsPerRow(boolean weightGrads, boolean inputGrad);

    @Override
    void close();
}
