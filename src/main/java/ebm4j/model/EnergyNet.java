package ebm4j.model;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Philox;
import java.util.List;

/**
 * The project's first model ({@code model=mlp}): an MLP that gives one score per class, written
 * once against {@link Backend}: ELU after every hidden layer, a linear output layer. It owns the
 * activation and gradient workspace for up to {@code capacity} rows; the parameters and their
 * gradients live in flat buffers laid out by {@link ParameterLayout} (PyTorch's nn.Linear layout
 * and names, so checkpoints load into the reference model).
 *
 * <p>Shapes: x (rows, in), weight_l (out_l, in_l), h_l (rows, out_l), scores (rows, classes).
 */
public final class EnergyNet extends WeightedLayers {
    /** The registration of this model in {@link Models}. */
    public static final ModelType TYPE = new ModelType() {
        @Override
        public String name() {
            return "mlp";
        }

        @Override
        public String describe(ModelSpec spec) {
            return "mlp " + java.util.Arrays.toString(layout(spec).widths()) + " (ELU)";
        }

        @Override
        public List<TensorSpec> tensors(ModelSpec spec) {
            return layout(spec).tensors();
        }

        @Override
        public float[] initialParameters(ModelSpec spec, long seed) {
            return EnergyNet.initialParameters(layout(spec), seed);
        }

        @Override
        public EnergyModel create(Backend backend, ModelSpec spec, int capacity) {
            return new EnergyNet(backend, spec, capacity);
        }
    };

    /** The layer widths of a spec: input, hidden..., classes. */
    static ParameterLayout layout(ModelSpec spec) {
        return ParameterLayout.of(spec.inputs(), spec.hidden(), spec.classes());
    }

    /** Philox stream for the initial weights (step 0); sampling streams start elsewhere. */
    public static final int INIT_STREAM = 0x7fff0000;

    private final ParameterLayout layout;
    /** activations[l] = output of layer l (post-ELU for hidden layers, scores for the last). */
    private final Buf[] activations;
    private final Buf gradA;
    private final Buf gradB;

    public EnergyNet(Backend backend, ModelSpec spec, int capacity) {
        super(backend, TYPE, spec, capacity);
        this.layout = layout(spec);
        activations = new Buf[layout.layers()];
        for (int l = 0; l < layout.layers(); l++) {
            activations[l] = backend.alloc((long) capacity * layout.out(l));
        }
        gradA = backend.alloc((long) capacity * layout.maxWidth());
        gradB = backend.alloc((long) capacity * layout.maxWidth());
    }

    /** Where each layer's weight and bias sit in {@link #params()}. */
    public ParameterLayout layout() {
        return layout;
    }

    /** Scores of the last forward pass, (rows, classes). */
    public Buf scores(int rows) {
        return activations[layout.layers() - 1].slice(0, (long) rows * layout.outputs());
    }

    /**
     * PyTorch's default nn.Linear initialisation, U(-1/sqrt(in), 1/sqrt(in)) for weights and
     * biases, drawn from Philox on the host so every backend starts from the same bits.
     */
    public static float[] initialParameters(ParameterLayout layout, long seed) {
        float[] p = new float[Math.toIntExact(layout.size())];
        for (int l = 0; l < layout.layers(); l++) {
            float bound = (float) (1.0 / Math.sqrt(layout.in(l)));
            int w = Math.toIntExact(layout.weightSize(l));
            float[] tmp = new float[w + layout.out(l)];
            Philox.uniforms(seed, 0, INIT_STREAM + l, 0, tmp, tmp.length, -bound, bound);
            System.arraycopy(tmp, 0, p, Math.toIntExact(layout.weightOffset(l)), tmp.length);
        }
        return p;
    }

    private Buf weight(int l) {
        return weights[l];
    }

    private Buf bias(int l) {
        return biases[l];
    }

    private Buf weightGrad(int l) {
        return weightGrads[l];
    }

    private Buf biasGrad(int l) {
        return biasGrads[l];
    }

    private Buf input(Buf x, int l) {
        return l == 0 ? x : activations[l - 1];
    }

    /** scores (rows, classes) = net(x). x:(rows, inputs). Returns the scores view. */
    @Override
    public Buf forward(Buf x, int rows) {
        checkRows(rows);
        for (int l = 0; l < layout.layers(); l++) {
            int in = layout.in(l), out = layout.out(l);
            Buf h = activations[l];
            // h (rows,out) = elu(input (rows,in) . weight^T (in,out) + bias); no ELU on the scores
            if (l < layout.layers() - 1) {
                backend.gemmBiasElu(h, input(x, l), weight(l), bias(l), rows, out, in);
            } else {
                backend.gemm(false, true, rows, out, in, 1f, input(x, l), in, weight(l), in, 0f, h, out);
                backend.addBias(h, bias(l), rows, out);
            }
        }
        return scores(rows);
    }

    /** The last hidden width (the input width when there is no hidden layer). */
    @Override
    public int featureWidth() {
        return layout.in(layout.layers() - 1);
    }

    /** The input of the output layer after a forward pass: the last hidden layer's ELU output. */
    @Override
    public Buf features(Buf x, int rows) {
        forward(x, rows);
        return input(x, layout.layers() - 1).slice(0, (long) rows * featureWidth());
    }

    /**
     * Back-propagates dScores (rows, classes) through the last forward pass. With
     * {@code weightGrads} it overwrites the parameter gradients; with {@code dx} non-null it
     * writes dL/dx (rows, inputs) there. The sampler needs only dx, training only the weights.
     */
    @Override
    public void backward(Buf dScores, int rows, Buf x, boolean weightGrads, Buf dx) {
        checkRows(rows);
        Buf dOut = dScores;
        for (int l = layout.layers() - 1; l >= 0; l--) {
            int in = layout.in(l), out = layout.out(l);
            if (weightGrads) {
                // dW (out,in) = dOut^T (out,rows) . input (rows,in);  db (out) = column sums of dOut
                backend.gemm(true, false, out, in, rows, 1f, dOut, out, input(x, l), in, 0f, weightGrad(l), in);
                backend.columnSums(biasGrad(l), dOut, rows, out, 0f);
            }
            if (l == 0 && dx == null) {
                break;
            }
            Buf dIn = l == 0 ? dx : (dOut == gradA ? gradB : gradA);
            // dIn (rows,in) = dOut (rows,out) . weight (out,in), times ELU's derivative below the input layer
            if (l > 0) {
                backend.gemmEluBackward(dIn, dOut, weight(l), activations[l - 1], rows, out, in);
            } else {
                backend.gemm(false, false, rows, in, out, 1f, dOut, out, weight(l), in, 0f, dIn, in);
            }
            dOut = dIn;
        }
    }

    @Override
    public double forwardMacsPerRow() {
        return layout.macsPerRow();
    }

    /** Weight gradients cost one product per layer; the input gradient one per layer but the first's is optional. */
    @Override
    public double backwardMacsPerRow(boolean weightGrads, boolean inputGrad) {
        double perLayer = layout.macsPerRow();
        double inputLayer = layout.weightSize(0);
        return (weightGrads ? perLayer : 0) + perLayer - (inputGrad ? 0 : inputLayer);
    }

    @Override
    void closeWorkspace() {
        for (Buf a : activations) {
            a.close();
        }
        gradA.close();
        gradB.close();
    }
}
