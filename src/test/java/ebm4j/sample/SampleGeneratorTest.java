package ebm4j.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.compute.Backend;
import ebm4j.compute.cpu.CpuBackend;
import ebm4j.model.EnergyNet;
import ebm4j.model.TestSpecs;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SampleGeneratorTest {
    private static final int INPUTS = 784;
    /** A chain of no steps: its result is its start (clamped). */
    private static final SamplerSpec NO_STEPS = new SamplerSpec(LangevinSampler.NAME, 0, 1f, 0.01f, 1f, 0.001f, 0f, -1f,
            0, 1f);

    /** A pool of 5 rows, row r filled with r / 4 - 0.5 and one out-of-range pixel to be clamped. */
    private static float[] pool() {
        float[] pool = new float[5 * INPUTS];
        for (int r = 0; r < 5; r++) {
            Arrays.fill(pool, r * INPUTS, (r + 1) * INPUTS, r / 4f - 0.5f);
            pool[r * INPUTS] = 3f;
        }
        return pool;
    }

    private static StartPool starts(float[] pool) {
        return new StartPool(pool, StartPool.DEFAULT_TEMPERATURE);
    }

    /** The pool row (clamped) that a zero-step sample equals, or -1. */
    private static int poolRowOf(float[] samples, int i, float[] pool) {
        for (int r = 0; r < 5; r++) {
            float[] row = Arrays.copyOfRange(pool, r * INPUTS, (r + 1) * INPUTS);
            row[0] = 1f;
            if (Arrays.equals(row, Arrays.copyOfRange(samples, i * INPUTS, (i + 1) * INPUTS))) {
                return r;
            }
        }
        return -1;
    }

    /** With no Langevin steps a chain is its start: a pool row, clamped to [-1, 1]. */
    @Test
    void zeroStepChainsReturnPoolRows() {
        try (Backend b = new CpuBackend();
             EnergyNet net = new EnergyNet(b, TestSpecs.mlp(INPUTS, 8, 10), 3)) {
            net.initialise(1);
            float[] pool = pool();
            float[] out = SampleGenerator.generate(net, NO_STEPS, 7, 7, null, starts(pool));
            float[] conditional = SampleGenerator.generate(net, NO_STEPS, 7, 7, new int[] {0, 1, 2, 3, 4, 5, 6}, starts(pool));
            for (int i = 0; i < 7; i++) {
                assertTrue(poolRowOf(out, i, pool) >= 0, "sample " + i);
                assertTrue(poolRowOf(conditional, i, pool) >= 0, "conditional sample " + i);
            }
            assertArrayEquals(out, SampleGenerator.generate(net, NO_STEPS, 7, 7, null, starts(pool)), 0f, "seeded");
        }
    }

    /** With no Langevin steps a chain from noise is its start: uniform noise in [-1, startMax]. */
    @Test
    void zeroStepChainsFromNoiseAreNoiseBelowTheStartMax() {
        try (Backend b = new CpuBackend();
             EnergyNet net = new EnergyNet(b, TestSpecs.mlp(INPUTS, 8, 10), 3)) {
            net.initialise(1);
            for (float max : new float[] {-0.5f, 0.25f, 1f}) {
                float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
                for (float v : SampleGenerator.generate(net, NO_STEPS.startingBelow(max), 7, 50, null)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
                assertTrue(lo >= -1f && hi <= max && lo < -0.95f && hi > max - 0.05f,
                        "noise in [" + lo + ", " + hi + "], expected all of [-1, " + max + "]");
            }
        }
    }

    /** Steps move the start. */
    @Test
    void stepsMoveThePoolRows() {
        try (Backend b = new CpuBackend();
             EnergyNet net = new EnergyNet(b, TestSpecs.mlp(INPUTS, 8, 10), 4)) {
            net.initialise(1);
            float[] pool = pool();
            SamplerSpec some = NO_STEPS.with(LangevinSampler.NAME, 3, 1f, 0.01f);
            float[] start = SampleGenerator.generate(net, NO_STEPS, 3, 4, null, starts(pool));
            assertFalse(Arrays.equals(start, SampleGenerator.generate(net, some, 3, 4, null, starts(pool))));
            assertEquals(4 * INPUTS, start.length);
        }
    }

    /** Rows are drawn with probability proportional to exp(-E): here 1/4 and 3/4, and never the rest. */
    @Test
    void drawsFollowTheBoltzmannWeightsOfTheEnergies() {
        double[] energies = {Math.log(3), 0, 40, Double.NaN, Double.POSITIVE_INFINITY};
        int[] drawn = PoolStarts.draw(energies, 20_000, new SplittableRandom(5));
        int[] counts = new int[energies.length];
        for (int i : drawn) {
            counts[i]++;
        }
        assertEquals(0.25, counts[0] / 20_000.0, 0.02, Arrays.toString(counts));
        assertEquals(0.75, counts[1] / 20_000.0, 0.02, Arrays.toString(counts));
        assertEquals(0, counts[2] + counts[3] + counts[4],
                "weights e^-40 and non-finite energies: " + Arrays.toString(counts));
    }

    /**
     * Unconditional starts are class-balanced: rows 0-2 are class 0 with a far larger logit than
     * rows 3-5 have for class 1, so weights exp(-E(x)) would pick rows 0-2 almost always; balanced,
     * half the chains start from class-0 rows and half from class-1 rows, each within its class
     * by exp(s_y) (JEM sign: E(x, y) = -s_y).
     */
    @Test
    void unconditionalStartsAreClassBalanced() {
        float[] scores = {9, -8, 8, -8, 8, -8, 0, 1, 0, 2, 0, 1};
        int[] rows = PoolStarts.choose(scores, 2, null, 400, -1f, 1.0, 3);
        int fromClass0 = 0;
        for (int r : rows) {
            fromClass0 += r < 3 ? 1 : 0;
        }
        assertEquals(200, fromClass0, "one chain in two starts from a class-0 row");
        int[] counts = new int[6];
        for (int i = 1; i < rows.length; i += 2) {
            counts[rows[i]]++;
        }
        // class-1 chains: rows 3, 4, 5 with weights e^1, e^2, e^1 (and e^-8 for the class-0 rows)
        double z = 2 * Math.E + Math.exp(2);
        assertEquals(Math.exp(2) / z, counts[4] / 200.0, 0.1, Arrays.toString(counts));
    }

    /**
     * The temperature sharpens the choice: class-0 chains over rows with s_0 = 0, 1, 2 (JEM sign)
     * start from them with weights exp(s/T), so at T = 0.5 the odds of the best row against the
     * next are e^2 instead of e, and a row far below (a chain that restarted from noise) all but
     * vanishes.
     */
    @Test
    void aLowerTemperatureFavoursTheLowestEnergies() {
        float[] scores = {0, 0, 1, 0, 2, 0};
        int[] atOne = PoolStarts.choose(scores, 2, new int[4000], 4000, -1f, 1.0, 11);
        int[] atHalf = PoolStarts.choose(scores, 2, new int[4000], 4000, -1f, 0.5, 11);
        double[] one = shares(atOne, 3), half = shares(atHalf, 3);
        double z1 = 1 + Math.E + Math.exp(2), zHalf = 1 + Math.exp(2) + Math.exp(4);
        for (int r = 0; r < 3; r++) {
            assertEquals(Math.exp(r) / z1, one[r], 0.03, "T = 1, row " + r + ": " + Arrays.toString(one));
            assertEquals(Math.exp(2 * r) / zHalf, half[r], 0.03, "T = 0.5, row " + r + ": " + Arrays.toString(half));
        }
        assertThrows(IllegalArgumentException.class, () -> new StartPool(pool(), 0));
        assertThrows(IllegalArgumentException.class, () -> new StartPool(pool(), Double.NaN));
    }

    private static double[] shares(int[] rows, int n) {
        double[] s = new double[n];
        for (int r : rows) {
            s[r] += 1.0 / rows.length;
        }
        return s;
    }

    @Test
    void withNoFiniteEnergyTheDrawIsUniform() {
        int[] drawn = PoolStarts.draw(new double[] {Double.NaN, Double.NaN, Double.NaN}, 3000, new SplittableRandom(1));
        int[] counts = new int[3];
        for (int i : drawn) {
            counts[i]++;
        }
        for (int c : counts) {
            assertEquals(1000, c, 120, Arrays.toString(counts));
        }
    }
}
