package ebm4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.HybridLossSpec;
import ebm4j.compute.IntBuf;
import ebm4j.compute.LossStats;
import ebm4j.compute.Philox;
import ebm4j.compute.cpu.CpuBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checks the whole hand-written backward pass (weight gradients of the hybrid loss, and the
 * sampler's dE/dx) against central finite differences of a double-precision reference forward
 * pass. Shapes are small and awkward (inputs 13, hidden 11 and 7, batch 3) to catch indexing
 * errors; tolerance: the backend computes in float32 (relative rounding ~1e-6 per op, a few
 * dozen ops deep), the finite difference in double with h = 1e-5 (truncation ~h^2), so gradients
 * must agree to 2e-4 absolute + 2e-3 relative.
 */
class EnergyNetGradientTest {
    private static final int INPUTS = 13, CLASSES = 10, BATCH = 3;
    private static final ParameterLayout LAYOUT = new ParameterLayout(INPUTS, 11, 7, CLASSES);
    private static final double H = 1e-5;

    private Backend backend;

    @BeforeEach
    void open() {
        backend = new CpuBackend();
    }

    @AfterEach
    void close() {
        backend.close();
    }

    private static float[] params() {
        float[] p = EnergyNet.initialParameters(LAYOUT, 3);
        // bigger weights than the default init so the ELU's negative branch and softmax are exercised
        for (int i = 0; i < p.length; i++) {
            p[i] *= 2.5f;
        }
        return p;
    }

    private static float[] inputs(int rows) {
        float[] x = new float[rows * INPUTS];
        Philox.uniforms(9, 1, 2, 0, x, x.length, -1f, 1f);
        return x;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    @ParameterizedTest(name = "sign {0}, gen {1}, l2 {2}")
    @CsvSource({"1, 1, 0", "-1, 1, 0", "1, 1, 0.1", "-1, 0, 0"})
    void weightGradientsMatchFiniteDifferencesOfTheHybridLoss(float sign, float gen, float l2) {
        float[] p = params();
        float[] x = inputs(2 * BATCH);
        int[] labels = {4, 0, 9};
        float[] analytic;
        try (EnergyNet net = new EnergyNet(backend, TestSpecs.mlp(LAYOUT.widths()), 2 * BATCH);
             Buf xb = backend.alloc(x.length); IntBuf yb = backend.allocInt(BATCH);
             Buf dScores = net.newScoresBuffer(); Buf stats = backend.alloc(LossStats.SIZE)) {
            backend.upload(net.params(), p);
            backend.upload(xb, x);
            backend.uploadInt(yb, 0, labels, 0, BATCH);
            Buf scores = net.forward(xb, 2 * BATCH);
            backend.hybridLossGrad(dScores, stats, scores, yb, BATCH, CLASSES, new HybridLossSpec(sign, gen, l2));
            net.backward(dScores, 2 * BATCH, xb, true, null);
            analytic = backend.download(net.grads());
            float[] st = backend.download(stats);
            ReferenceMlp ref = new ReferenceMlp(LAYOUT);
            double loss = ref.hybridLoss(toDouble(p), toDouble(x), labels, BATCH, sign, gen, l2);
            assertEquals(loss, st[LossStats.LOSS], 1e-4 + 1e-4 * Math.abs(loss), "loss statistic");
        }
        ReferenceMlp ref = new ReferenceMlp(LAYOUT);
        double[] pd = toDouble(p), xd = toDouble(x);
        int checked = 0;
        double maxErr = 0;
        for (int i = 0; i < pd.length; i++) {
            double keep = pd[i];
            pd[i] = keep + H;
            double up = ref.hybridLoss(pd, xd, labels, BATCH, sign, gen, l2);
            pd[i] = keep - H;
            double down = ref.hybridLoss(pd, xd, labels, BATCH, sign, gen, l2);
            pd[i] = keep;
            double numeric = (up - down) / (2 * H);
            double err = Math.abs(analytic[i] - numeric);
            maxErr = Math.max(maxErr, err);
            assertTrue(err <= 2e-4 + 2e-3 * Math.abs(numeric),
                    "parameter " + i + ": backward " + analytic[i] + " vs finite difference " + numeric);
            checked += numeric != 0 ? 1 : 0;
        }
        assertTrue(checked > pd.length / 2, "most gradients should be non-zero, got " + checked);
    }

    @ParameterizedTest(name = "sign {0}")
    @CsvSource({"1", "-1"})
    void inputGradientMatchesFiniteDifferencesOfTheEnergy(float sign) {
        float[] p = params();
        float[] x = inputs(BATCH);
        float[] analytic;
        try (EnergyNet net = new EnergyNet(backend, TestSpecs.mlp(LAYOUT.widths()), BATCH);
             Buf xb = backend.alloc(x.length); Buf dx = backend.alloc(x.length); Buf dScores = net.newScoresBuffer()) {
            backend.upload(net.params(), p);
            backend.upload(xb, x);
            Buf scores = net.forward(xb, BATCH);
            backend.energyGrad(dScores, null, scores, BATCH, CLASSES, sign);
            net.backward(dScores, BATCH, xb, false, dx);
            analytic = backend.download(dx);
            // weight gradients must be untouched when only dx is asked for
            for (float g : backend.download(net.grads())) {
                assertEquals(0f, g);
            }
        }
        ReferenceMlp ref = new ReferenceMlp(LAYOUT);
        double[] pd = toDouble(p), xd = toDouble(x);
        for (int i = 0; i < xd.length; i++) {
            double keep = xd[i];
            xd[i] = keep + H;
            double up = ref.energySum(pd, xd, BATCH, sign);
            xd[i] = keep - H;
            double down = ref.energySum(pd, xd, BATCH, sign);
            xd[i] = keep;
            double numeric = (up - down) / (2 * H);
            assertTrue(Math.abs(analytic[i] - numeric) <= 2e-4 + 2e-3 * Math.abs(numeric),
                    "x[" + i + "]: backward " + analytic[i] + " vs finite difference " + numeric);
        }
    }

    /**
     * {@link HybridLossSpec#energyNeutralCe}: on one row, the cross-entropy's weight gradient in
     * the last layer is orthogonal to that row's energy gradient there (a step along it leaves the
     * energy unchanged to first order through those weights), where the plain cross-entropy's is
     * far from orthogonal; and it still descends the cross-entropy (positive inner product with
     * the plain gradient over all parameters).
     */
    @ParameterizedTest(name = "sign {0}")
    @CsvSource({"1", "-1"})
    void energyNeutralCrossEntropyLeavesTheRowsEnergyAloneThroughTheLastLayer(float sign) {
        float[] p = params();
        float[] x = inputs(BATCH);
        int[] labels = {4, 0, 9};
        int last = LAYOUT.layers() - 1;
        int from = (int) LAYOUT.weightOffset(last), to = (int) (LAYOUT.biasOffset(last) + LAYOUT.out(last));
        try (EnergyNet net = new EnergyNet(backend, TestSpecs.mlp(LAYOUT.widths()), 2);
             Buf xb = backend.alloc(2 * INPUTS); IntBuf yb = backend.allocInt(1);
             Buf dScores = net.newScoresBuffer(); Buf stats = backend.alloc(LossStats.SIZE)) {
            backend.upload(net.params(), p);
            for (int r = 0; r < BATCH; r++) {
                float[] twice = new float[2 * INPUTS]; // the row, and the same row as the (ignored) sample
                System.arraycopy(x, r * INPUTS, twice, 0, INPUTS);
                System.arraycopy(x, r * INPUTS, twice, INPUTS, INPUTS);
                backend.upload(xb, twice);
                backend.uploadInt(yb, 0, labels, r, 1);

                float[] plain = crossEntropyGrads(net, xb, yb, dScores, stats, new HybridLossSpec(sign, 0f, 0f, false));
                float[] neutral = crossEntropyGrads(net, xb, yb, dScores, stats, new HybridLossSpec(sign, 0f, 0f, true));
                backend.energyGrad(dScores, null, net.forward(xb, 1), 1, CLASSES, sign);
                net.backward(dScores, 1, xb, true, null);
                float[] energy = backend.download(net.grads());

                double plainCos = cosine(plain, energy, from, to);
                double neutralCos = cosine(neutral, energy, from, to);
                assertTrue(Math.abs(plainCos) > 1e-2, "row " + r + ": the plain cross-entropy moves the energy ("
                        + plainCos + "), so the check below can fail");
                assertTrue(Math.abs(neutralCos) < 1e-3 * Math.abs(plainCos), "row " + r
                        + ": cos(neutral CE, energy) in the last layer " + neutralCos + ", plain " + plainCos);
                assertTrue(cosine(neutral, plain, 0, p.length) > 0.1, "row " + r + ": still a descent direction");
            }
        }
    }

    private float[] crossEntropyGrads(EnergyNet net, Buf xb, IntBuf yb, Buf dScores, Buf stats, HybridLossSpec spec) {
        Buf scores = net.forward(xb, 2);
        backend.hybridLossGrad(dScores, stats, scores, yb, 1, CLASSES, spec);
        net.backward(dScores, 2, xb, true, null);
        return backend.download(net.grads());
    }

    private static double cosine(float[] a, float[] b, int from, int to) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = from; i < to; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
