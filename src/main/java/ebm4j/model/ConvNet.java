package ebm4j.model;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Patches;
import ebm4j.compute.Philox;
import java.util.ArrayList;
import java.util.List;

/**
 * A small convolutional network ({@code model=cnn}), written once against {@link Backend}:
 * {@code hidden_dims = c1,...,ck,f} gives k convolutions of 5x5 windows with stride 2 and 2 pixels
 * of zero padding (each halving the image, ELU after each), then a dense layer of f units (ELU),
 * then the linear output layer. A convolution is {@link Backend#im2col} and one GEMM; its backward
 * pass is a GEMM and {@link Backend#col2im}, so the model runs wherever the backend does and a
 * training step stays one CUDA graph. Its inductive bias (local, translation-equivariant filters)
 * differs from the MLP's, which is what makes it a useful second judge of the MLP's samples.
 *
 * <p>Activations are channels last: layer l's output is (rows * positions_l, c_l), which is
 * (rows, h_l, w_l, c_l) row-major, exactly the next im2col's input. Parameters, in order: per
 * convolution {@code conv.l.weight} (c_l, 5, 5, c_{l-1}) and {@code conv.l.bias} (c_l), then
 * {@code dense.weight} (f, h_k * w_k * c_k), {@code dense.bias}, {@code out.weight} (classes, f),
 * {@code out.bias}. Initialised like PyTorch's layers: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 */
public final class ConvNet extends WeightedLayers {
    /** Window, stride and padding of every convolution. */
    static final int KERNEL = 5, STRIDE = 2, PAD = 2;
    /** Philox stream base for the initial weights (one stream per layer, at step 0). */
    private static final int INIT_STREAM = 0x7ffe0000;

    /** The registration of this model in {@link Models}. */
    public static final ModelType TYPE = new ModelType() {
        @Override
        public String name() {
            return "cnn";
        }

        @Override
        public String describe(ModelSpec spec) {
            Layout l = new Layout(spec);
            StringBuilder sb = new StringBuilder("cnn");
            for (Patches p : l.patches) {
                sb.append(" ").append(p.height()).append("x").append(p.width()).append("x").append(p.channels())
                        .append(" ->");
            }
            Patches last = l.patches.get(l.patches.size() - 1);
            return sb.append(" ").append(last.outHeight()).append("x").append(last.outWidth()).append("x")
                    .append(l.channels.get(l.channels.size() - 1)).append(" -> ").append(l.dense).append(" -> ")
                    .append(spec.classes()).append(" (5x5 stride-2 convolutions, ELU)").toString();
        }

        @Override
        public List<TensorSpec> tensors(ModelSpec spec) {
            return new Layout(spec).tensors;
        }

        @Override
        public float[] initialParameters(ModelSpec spec, long seed) {
            Layout l = new Layout(spec);
            float[] p = new float[Math.toIntExact(l.size)];
            for (int t = 0; t < l.tensors.size(); t += 2) {
                TensorSpec weight = l.tensors.get(t), bias = l.tensors.get(t + 1);
                long fanIn = weight.size() / weight.shape()[0];
                float bound = (float) (1.0 / Math.sqrt(fanIn));
                float[] tmp = new float[Math.toIntExact(weight.size() + bias.size())];
                Philox.uniforms(seed, 0, INIT_STREAM + t / 2, 0, tmp, tmp.length, -bound, bound);
                System.arraycopy(tmp, 0, p, Math.toIntExact(weight.offset()), tmp.length);
            }
            return p;
        }

        @Override
        public EnergyModel create(Backend backend, ModelSpec spec, int capacity) {
            return new ConvNet(backend, spec, capacity);
        }
    };

    /** Shapes and parameter offsets of a spec, without a device. */
    private static final class Layout {
        final List<Patches> patches = new ArrayList<>();
        final List<Integer> channels = new ArrayList<>();   // output channels per convolution
        final int dense;
        final List<TensorSpec> tensors = new ArrayList<>();
        final long size;

        Layout(ModelSpec spec) {
            List<Integer> hidden = spec.hidden();
            if (hidden.size() < 2) {
                throw new IllegalArgumentException("a cnn needs hidden_dims of convolution channels then the dense"
                        + " width, e.g. 32,64,256; got " + hidden);
            }
            int h = spec.input().height(), w = spec.input().width(), c = spec.input().channels();
            long at = 0;
            for (int l = 0; l < hidden.size() - 1; l++) {
                Patches p = new Patches(h, w, c, KERNEL, KERNEL, STRIDE, PAD);
                int out = hidden.get(l);
                patches.add(p);
                channels.add(out);
                at = add("conv." + l + ".weight", new long[] {out, KERNEL, KERNEL, c}, at);
                at = add("conv." + l + ".bias", new long[] {out}, at);
                h = p.outHeight();
                w = p.outWidth();
                c = out;
            }
            dense = hidden.get(hidden.size() - 1);
            at = add("dense.weight", new long[] {dense, (long) h * w * c}, at);
            at = add("dense.bias", new long[] {dense}, at);
            at = add("out.weight", new long[] {spec.classes(), dense}, at);
            at = add("out.bias", new long[] {spec.classes()}, at);
            size = at;
        }

        private long add(String name, long[] shape, long at) {
            TensorSpec t = new TensorSpec(name, shape, at);
            tensors.add(t);
            return Math.addExact(at, t.size());
        }

        /** Values per row of convolution l's output. */
        int outValues(int l) {
            return patches.get(l).positions() * channels.get(l);
        }

        /** The dense layer's input width: the last convolution's output per row. */
        int flat() {
            return outValues(patches.size() - 1);
        }
    }

    private final Layout layout;
    private final int convs;
    private final Buf[] cols;        // per convolution: (capacity * positions, patchSize)
    private final Buf[] convOut;     // per convolution: (capacity * positions, channels), post-ELU
    private final Buf denseOut;      // (capacity, dense), post-ELU
    private final Buf scores;        // (capacity, classes)
    private final Buf gradA;
    private final Buf gradB;
    private final Buf dCols;

    public ConvNet(Backend backend, ModelSpec spec, int capacity) {
        super(backend, TYPE, spec, capacity);
        this.layout = new Layout(spec);
        this.convs = layout.patches.size();
        cols = new Buf[convs];
        convOut = new Buf[convs];
        long widest = Math.max(layout.dense, spec.classes()), widestCols = 0;
        for (int l = 0; l < convs; l++) {
            Patches p = layout.patches.get(l);
            cols[l] = backend.alloc((long) capacity * p.positions() * p.patchSize());
            convOut[l] = backend.alloc((long) capacity * layout.outValues(l));
            widest = Math.max(widest, layout.outValues(l));
            widestCols = Math.max(widestCols, (long) p.positions() * p.patchSize());
        }
        denseOut = backend.alloc((long) capacity * layout.dense);
        scores = backend.alloc((long) capacity * spec.classes());
        gradA = backend.alloc(capacity * widest);
        gradB = backend.alloc(capacity * widest);
        dCols = backend.alloc(capacity * widestCols);
    }

    @Override
    public Buf forward(Buf x, int rows) {
        checkRows(rows);
        Buf in = x;
        for (int l = 0; l < convs; l++) {
            Patches p = layout.patches.get(l);
            int n = rows * p.positions(), c = layout.channels.get(l);
            backend.im2col(cols[l], in, p, rows);
            // out (n, c) = cols (n, K) . weight^T (K, c)
            backend.gemm(false, true, n, c, p.patchSize(), 1f, cols[l], p.patchSize(), weights[l], p.patchSize(), 0f,
                    convOut[l], c);
            backend.biasElu(convOut[l], biases[l], n, c);
            in = convOut[l];
        }
        int flat = layout.flat(), dense = layout.dense, classes = spec.classes();
        backend.gemm(false, true, rows, dense, flat, 1f, in, flat, weights[convs], flat, 0f, denseOut, dense);
        backend.biasElu(denseOut, biases[convs], rows, dense);
        backend.gemm(false, true, rows, classes, dense, 1f, denseOut, dense, weights[convs + 1], dense, 0f, scores,
                classes);
        backend.addBias(scores, biases[convs + 1], rows, classes);
        return scores.slice(0, (long) rows * classes);
    }

    /** The dense layer's width: the output layer's input. */
    @Override
    public int featureWidth() {
        return layout.dense;
    }

    /** The dense layer's ELU output after a forward pass. */
    @Override
    public Buf features(Buf x, int rows) {
        forward(x, rows);
        return denseOut.slice(0, (long) rows * layout.dense);
    }

    @Override
    public void backward(Buf dScores, int rows, Buf x, boolean weightGrads, Buf dx) {
        checkRows(rows);
        int flat = layout.flat(), dense = layout.dense, classes = spec.classes();
        Buf lastConv = convOut[convs - 1];
        // output layer: dW (classes, dense) = dScores^T . denseOut; d(denseOut) = dScores . W
        if (weightGrads) {
            backend.gemm(true, false, classes, dense, rows, 1f, dScores, classes, denseOut, dense, 0f,
                    this.weightGrads[convs + 1], dense);
            backend.columnSums(biasGrads[convs + 1], dScores, rows, classes, 0f);
        }
        backend.gemm(false, false, rows, dense, classes, 1f, dScores, classes, weights[convs + 1], dense, 0f, gradA,
                dense);
        backend.eluBackward(gradA, denseOut, (long) rows * dense);
        // dense layer: dW (dense, flat) = dDense^T . lastConv; d(lastConv) = dDense . W
        if (weightGrads) {
            backend.gemm(true, false, dense, flat, rows, 1f, gradA, dense, lastConv, flat, 0f, this.weightGrads[convs],
                    flat);
            backend.columnSums(biasGrads[convs], gradA, rows, dense, 0f);
        }
        backend.gemm(false, false, rows, flat, dense, 1f, gradA, dense, weights[convs], flat, 0f, gradB, flat);
        backend.eluBackward(gradB, lastConv, (long) rows * flat);
        Buf dOut = gradB;
        for (int l = convs - 1; l >= 0; l--) {
            Patches p = layout.patches.get(l);
            int n = rows * p.positions(), c = layout.channels.get(l), k = p.patchSize();
            if (weightGrads) {
                // dW (c, K) = dOut^T (c, n) . cols (n, K);  db (c) = column sums of dOut
                backend.gemm(true, false, c, k, n, 1f, dOut, c, cols[l], k, 0f, this.weightGrads[l], k);
                backend.columnSums(biasGrads[l], dOut, n, c, 0f);
            }
            if (l == 0 && dx == null) {
                break;
            }
            // dCols (n, K) = dOut (n, c) . W (c, K); then back to pixels
            backend.gemm(false, false, n, k, c, 1f, dOut, c, weights[l], k, 0f, dCols, k);
            Buf dIn = l == 0 ? dx : (dOut == gradA ? gradB : gradA);
            backend.col2im(dIn, dCols, p, rows);
            if (l > 0) {
                backend.eluBackward(dIn, convOut[l - 1], (long) rows * layout.outValues(l - 1));
            }
            dOut = dIn;
        }
    }

    @Override
    public double forwardMacsPerRow() {
        double macs = 0;
        for (int l = 0; l < convs; l++) {
            macs += firstOrConvMacs(l);
        }
        return macs + (double) layout.flat() * layout.dense + (double) layout.dense * spec.classes();
    }

    private double firstOrConvMacs(int l) {
        Patches p = layout.patches.get(l);
        return (double) p.positions() * p.patchSize() * layout.channels.get(l);
    }

    /** Weight gradients cost one product per layer; so do input gradients, but the first layer's is optional. */
    @Override
    public double backwardMacsPerRow(boolean weightGrads, boolean inputGrad) {
        double perPass = forwardMacsPerRow();
        return (weightGrads ? perPass : 0) + perPass - (inputGrad ? 0 : firstOrConvMacs(0));
    }

    @Override
    void closeWorkspace() {
        for (int l = 0; l < convs; l++) {
            cols[l].close();
            convOut[l].close();
        }
        denseOut.close();
        scores.close();
        gradA.close();
        gradB.close();
        dCols.close();
    }
}
