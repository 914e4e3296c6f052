package ebm4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Philox;
import ebm4j.compute.cpu.CpuBackend;
import ebm4j.data.ImageShape;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every registered model ({@link Models}) keeps, run against each of them on the CPU
 * backend with an awkward spec (3x4x1 images, 5 classes, hidden 7 and 6): its tensors tile the flat
 * parameter buffer; initial parameters are a pure function of the seed; rows are independent; the
 * backward pass gives the gradients of a linear loss on the scores, checked against central
 * differences of the model's own float forward pass (h = 1e-2 on weights of order 0.3: the error
 * is float rounding, ~1e-6 relative per op over a few dozen ops, divided by 2h, so 2e-3 absolute +
 * 2e-2 relative); it refuses more rows than its capacity; and its features are what its affine output
 * layer (the last two tensors) maps to the scores.
 */
class ModelContractTest {
    private static final ImageShape SHAPE = new ImageShape(3, 4, 1);
    private static final int CLASSES = 5, ROWS = 3;
    private static final double H = 1e-2;

    static Stream<String> models() {
        return Models.names().stream();
    }

    private static ModelSpec spec(String kind) {
        return new ModelSpec(kind, SHAPE, CLASSES, List.of(7, 6));
    }

    @ParameterizedTest
    @MethodSource("models")
    void tensorsTileTheParameterBufferInOrder(String kind) {
        ModelType type = Models.type(kind);
        long at = 0;
        for (TensorSpec t : type.tensors(spec(kind))) {
            assertEquals(at, t.offset(), t.name() + " starts where the previous tensor ended");
            assertTrue(t.size() > 0, t.name());
            at += t.size();
        }
        assertEquals(type.parameterCount(spec(kind)), at);
        try (Backend b = new CpuBackend(1, ebm4j.compute.cpu.GemmChoice.JAVA);
             EnergyModel m = type.create(b, spec(kind), 4)) {
            assertEquals(at, m.parameterCount());
            assertEquals(at, m.params().size());
            assertEquals(at, m.grads().size());
            assertEquals(SHAPE.pixels(), m.inputs());
            assertEquals(CLASSES, m.outputs());
            assertEquals(spec(kind), m.spec());
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void initialParametersArePureFunctionsOfTheSeed(String kind) {
        ModelType type = Models.type(kind);
        float[] a = type.initialParameters(spec(kind), 7);
        assertArrayEquals(a, type.initialParameters(spec(kind), 7));
        assertFalse(Arrays.equals(a, type.initialParameters(spec(kind), 8)));
        try (Backend b = new CpuBackend(1, ebm4j.compute.cpu.GemmChoice.JAVA);
             EnergyModel m = type.create(b, spec(kind), 4)) {
            m.initialise(7);
            assertArrayEquals(a, b.download(m.params()), "initialise uploads initialParameters");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void rowsAreIndependentAndCapacityIsEnforced(String kind) {
        try (Backend b = new CpuBackend(1, ebm4j.compute.cpu.GemmChoice.JAVA);
             EnergyModel m = Models.create(b, spec(kind), ROWS);
             Buf x = b.alloc((long) ROWS * m.inputs())) {
            m.initialise(3);
            b.upload(x, inputs(ROWS, m.inputs()));
            float[] all = b.download(m.forward(x, ROWS));
            float[] one = b.download(m.forward(x, 1));
            assertArrayEquals(Arrays.copyOf(all, CLASSES), Arrays.copyOf(one, CLASSES), 0f);
            assertThrows(IllegalArgumentException.class, () -> m.forward(x, ROWS + 1));
            assertThrows(IllegalArgumentException.class, () -> m.forward(x, 0));
        }
    }

    /**
     * scores = features . W^T + b for W, b the last two tensors of the layout, recomputed in double
     * from the downloaded features (float GEMM against double: 1e-5 absolute + 1e-5 relative over a
     * 6-term sum); a row's features do not depend on the other rows.
     */
    @ParameterizedTest
    @MethodSource("models")
    void featuresAreWhatTheOutputLayerMapsToTheScores(String kind) {
        List<TensorSpec> tensors = Models.type(kind).tensors(spec(kind));
        TensorSpec w = tensors.get(tensors.size() - 2), bias = tensors.get(tensors.size() - 1);
        try (Backend b = new CpuBackend(1, ebm4j.compute.cpu.GemmChoice.JAVA);
             EnergyModel m = Models.create(b, spec(kind), ROWS);
             Buf x = b.alloc((long) ROWS * m.inputs())) {
            int width = m.featureWidth();
            assertArrayEquals(new long[] {CLASSES, width}, w.shape(), "the output weight is (outputs, featureWidth)");
            assertArrayEquals(new long[] {CLASSES}, bias.shape(), "the output bias is (outputs)");
            m.initialise(4);
            float[] params = b.download(m.params());
            b.upload(x, inputs(ROWS, m.inputs()));
            float[] features = b.download(m.features(x, ROWS));
            assertEquals(ROWS * width, features.length);
            float[] scores = b.download(m.forward(x, ROWS));
            boolean someNonZero = false;
            for (int r = 0; r < ROWS; r++) {
                for (int k = 0; k < CLASSES; k++) {
                    double s = params[Math.toIntExact(bias.offset()) + k];
                    for (int j = 0; j < width; j++) {
                        s += (double) features[r * width + j] * params[Math.toIntExact(w.offset()) + k * width + j];
                        someNonZero |= features[r * width + j] != 0f;
                    }
                    assertEquals(s, scores[r * CLASSES + k], 1e-5 + 1e-5 * Math.abs(s), "row " + r + " class " + k);
                }
            }
            assertTrue(someNonZero, "features carry the input");
            float[] first = b.download(m.features(x, 1));
            assertArrayEquals(Arrays.copyOf(features, width), first, 0f);
        }
    }

    /** L = sum(c * scores) for fixed c: dL/dscores = c; its gradients against central differences. */
    @ParameterizedTest
    @MethodSource("models")
    void backwardGivesTheGradientsOfTheForwardPass(String kind) {
        float[] c = new float[ROWS * CLASSES];
        Philox.uniforms(5, 0, 1, 0, c, c.length, -1f, 1f);
        try (Backend b = new CpuBackend(1, ebm4j.compute.cpu.GemmChoice.JAVA);
             EnergyModel m = Models.create(b, spec(kind), ROWS);
             Buf x = b.alloc((long) ROWS * m.inputs());
             Buf dScores = m.newScoresBuffer();
             Buf dx = b.alloc((long) ROWS * m.inputs())) {
            float[] params = Models.type(kind).initialParameters(spec(kind), 11);
            for (int i = 0; i < params.length; i++) {
                params[i] *= 3f; // larger than the default init, so every nonlinearity's curve is used
            }
            b.upload(m.params(), params);
            float[] in = inputs(ROWS, m.inputs());
            b.upload(x, in);
            b.upload(dScores, 0, c, 0, c.length);
            m.forward(x, ROWS);
            m.backward(dScores, ROWS, x, true, dx);
            float[] weightGrad = b.download(m.grads());
            float[] inputGrad = b.download(dx);

            for (int i = 0; i < params.length; i += Math.max(1, params.length / 40)) {
                float saved = params[i];
                params[i] = (float) (saved + H);
                double up = loss(b, m, x, params, c);
                params[i] = (float) (saved - H);
                double down = loss(b, m, x, params, c);
                params[i] = saved;
                assertClose((up - down) / (2 * H), weightGrad[i], "d/dparam " + i);
            }
            b.upload(m.params(), params);
            for (int i = 0; i < in.length; i++) {
                float saved = in[i];
                in[i] = (float) (saved + H);
                b.upload(x, in);
                double up = dot(b.download(m.forward(x, ROWS)), c);
                in[i] = (float) (saved - H);
                b.upload(x, in);
                double down = dot(b.download(m.forward(x, ROWS)), c);
                in[i] = saved;
                assertClose((up - down) / (2 * H), inputGrad[i], "d/dx " + i);
            }
        }
    }

    private static double loss(Backend b, EnergyModel m, Buf x, float[] params, float[] c) {
        b.upload(m.params(), params);
        return dot(b.download(m.forward(x, ROWS)), c);
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < b.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    private static void assertClose(double expected, float actual, String what) {
        assertEquals(expected, actual, 2e-3 + 2e-2 * Math.abs(expected), what);
    }

    private static float[] inputs(int rows, int n) {
        float[] x = new float[rows * n];
        Philox.uniforms(9, 1, 2, 0, x, x.length, -1f, 1f);
        return x;
    }
}
