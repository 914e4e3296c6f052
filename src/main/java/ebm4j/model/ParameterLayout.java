package ebm4j.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Where each weight matrix and bias vector of an MLP lives inside one flat parameter buffer.
 * Layer l has a weight of shape (out, in) — PyTorch's nn.Linear layout, so checkpoints load into
 * the reference model unchanged — followed by its bias (out). One flat buffer lets one Adam
 * launch update every parameter.
 */
public final class ParameterLayout {
    private final int[] widths;
    private final long[] weightOffsets;
    private final long[] biasOffsets;
    private final long size;

    /** @param widths layer widths from input to output, e.g. {784, 512, 512, 512, 10} */
    public ParameterLayout(int... widths) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("an MLP needs at least an input and an output width");
        }
        this.widths = widths.clone();
        int layers = widths.length - 1;
        weightOffsets = new long[layers];
        biasOffsets = new long[layers];
        long at = 0;
        for (int l = 0; l < layers; l++) {
            weightOffsets[l] = at;
            at += (long) widths[l] * widths[l + 1];
            biasOffsets[l] = at;
            at += widths[l + 1];
        }
        size = at;
    }

    public static ParameterLayout of(int inputs, List<Integer> hidden, int outputs) {
        List<Integer> all = new ArrayList<>();
        all.add(inputs);
        all.addAll(hidden);
        all.add(outputs);
        return new ParameterLayout(all.stream().mapToInt(Integer::intValue).toArray());
    }

    public int layers() {
        return widths.length - 1;
    }

    /** Input width of layer l. */
    public int in(int l) {
        return widths[l];
    }

    /** Output width of layer l. */
    public int out(int l) {
        return widths[l + 1];
    }

    public int inputs() {
        return widths[0];
    }

    public int outputs() {
        return widths[widths.length - 1];
    }

    public int[] widths() {
        return widths.clone();
    }

    public int maxWidth() {
        int m = 0;
        for (int w : widths) {
            m = Math.max(m, w);
        }
        return m;
    }

    public long weightOffset(int l) {
        return weightOffsets[l];
    }

    public long biasOffset(int l) {
        return biasOffsets[l];
    }

    public long weightSize(int l) {
        return (long) in(l) * out(l);
    }

    /** Total number of parameters. */
    public long size() {
        return size;
    }

    /** Multiply-adds of one forward pass for one row. */
    public long macsPerRow() {
        long macs = 0;
        for (int l = 0; l < layers(); l++) {
            macs += weightSize(l);
        }
        return macs;
    }

    /** Every weight and bias in buffer order, under the PyTorch reference's names and shapes. */
    public List<TensorSpec> tensors() {
        List<TensorSpec> out = new ArrayList<>();
        for (int l = 0; l < layers(); l++) {
            out.add(new TensorSpec(weightName(l), new long[] {out(l), in(l)}, weightOffset(l)));
            out.add(new TensorSpec(biasName(l), new long[] {out(l)}, biasOffset(l)));
        }
        return out;
    }

    /** Tensor names as the PyTorch reference's nn.Sequential would name them (Linear, ELU, ...). */
    public String weightName(int l) {
        return "net." + (2 * l) + ".weight";
    }

    public String biasName(int l) {
        return "net." + (2 * l) + ".bias";
    }
}
