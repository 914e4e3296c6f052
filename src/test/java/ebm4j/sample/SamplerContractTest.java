package ebm4j.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.IntBuf;
import ebm4j.compute.Philox;
import ebm4j.compute.cpu.CpuBackend;
import ebm4j.compute.cpu.GemmChoice;
import ebm4j.model.EnergyModel;
import ebm4j.model.EnergyNet;
import ebm4j.model.Scoring;
import ebm4j.model.TestSpecs;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every registered sampler ({@link Samplers}) keeps, run against each of them with a
 * small random MLP on the CPU: zero steps return the start clamped to [-1, 1]; a chain is a pure
 * function of (seed, Philox step, start) and the step changes its noise; results stay in [-1, 1];
 * small noise-free steps lower the energy (of every chain, here) or raise the requested class's
 * score; more rows than the model's capacity are refused.
 */
class SamplerContractTest {
    private static final int INPUTS = 20, CLASSES = 4, ROWS = 6;

    static Stream<String> samplers() {
        return Samplers.names().stream();
    }

    private static SamplerSpec spec(String kind, int steps, float alpha, float sigma) {
        return new SamplerSpec(kind, steps, alpha, sigma, alpha / 4, Math.max(sigma / 4, 1e-6f), 0f, -1f, 0, 1f);
    }

    private interface Body {
        void run(Backend b, EnergyModel m, Buf x, Buf dScores, IntBuf counters);
    }

    private static void withModel(Body body) {
        try (Backend b = new CpuBackend(1, GemmChoice.JAVA);
             EnergyModel m = new EnergyNet(b, TestSpecs.mlp(INPUTS, 16, CLASSES), ROWS);
             Buf x = b.alloc((long) ROWS * INPUTS);
             Buf dScores = m.newScoresBuffer();
             IntBuf counters = b.allocInt(Counters.SIZE)) {
            m.initialise(4);
            body.run(b, m, x, dScores, counters);
        }
    }

    private static float[] start() {
        float[] s = new float[ROWS * INPUTS];
        Philox.uniforms(3, 0, 9, 0, s, s.length, -1.5f, 1.5f); // some outside [-1, 1], to be clamped
        return s;
    }

    private static float[] run(Backend b, Sampler sampler, Buf x, IntBuf counters, int philoxStep, Buf target) {
        b.upload(x, start());
        int[] c = new int[Counters.SIZE];
        c[Counters.STEP_LO] = philoxStep;
        b.uploadInt(counters, 0, c, 0, c.length);
        sampler.refine(x, ROWS, target, 17, counters);
        return b.download(x);
    }

    @ParameterizedTest
    @MethodSource("samplers")
    void zeroStepsReturnTheStartClamped(String kind) {
        withModel((b, m, x, dScores, counters) -> {
            try (Sampler s = Samplers.create(m, dScores, spec(kind, 0, 1f, 0.1f))) {
                float[] out = run(b, s, x, counters, 0, null);
                float[] expected = start();
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = Math.max(-1f, Math.min(1f, expected[i]));
                }
                assertArrayEquals(expected, out, 0f);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("samplers")
    void aChainIsAPureFunctionOfSeedStepAndStart(String kind) {
        withModel((b, m, x, dScores, counters) -> {
            try (Sampler s = Samplers.create(m, dScores, spec(kind, 4, 0.5f, 0.05f))) {
                float[] a = run(b, s, x, counters, 2, null);
                assertArrayEquals(a, run(b, s, x, counters, 2, null), 0f);
                assertFalse(Arrays.equals(a, run(b, s, x, counters, 3, null)), "another Philox step draws other noise");
                for (float v : a) {
                    assertTrue(v >= -1f && v <= 1f, "clamped: " + v);
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("samplers")
    void smallStepsLowerTheEnergyOfEveryChain(String kind) {
        withModel((b, m, x, dScores, counters) -> {
            try (Sampler s = Samplers.create(m, dScores, spec(kind, 5, 0.05f, 1e-6f))) {
                float[] before = start();
                for (int i = 0; i < before.length; i++) {
                    before[i] = Math.max(-1f, Math.min(1f, before[i]));
                }
                double[] e0 = Scoring.energies(Scoring.scores(m, before, ROWS), CLASSES, -1f);
                float[] after = run(b, s, x, counters, 0, null);
                double[] e1 = Scoring.energies(Scoring.scores(m, after, ROWS), CLASSES, -1f);
                for (int r = 0; r < ROWS; r++) {
                    assertTrue(e1[r] < e0[r], "row " + r + ": E " + e0[r] + " -> " + e1[r]);
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("samplers")
    void aClassConditionalChainRaisesThatClassesScore(String kind) {
        withModel((b, m, x, dScores, counters) -> {
            int wanted = 2;
            float[] grad = new float[ROWS * CLASSES];
            for (int r = 0; r < ROWS; r++) {
                grad[r * CLASSES + wanted] = -1f; // sign * onehot(y), E(x, y) = -s_y
            }
            try (Sampler s = Samplers.create(m, dScores, spec(kind, 5, 0.05f, 1e-6f));
                 Buf target = b.alloc(grad.length)) {
                b.upload(target, grad);
                float[] before = start();
                for (int i = 0; i < before.length; i++) {
                    before[i] = Math.max(-1f, Math.min(1f, before[i]));
                }
                float[] s0 = Scoring.scores(m, before, ROWS);
                float[] s1 = Scoring.scores(m, run(b, s, x, counters, 0, target), ROWS);
                for (int r = 0; r < ROWS; r++) {
                    assertTrue(s1[r * CLASSES + wanted] > s0[r * CLASSES + wanted], "row " + r);
                }
            }
        });
    }

    @ParameterizedTest
    @MethodSource("samplers")
    void moreRowsThanTheModelTakesAreRefused(String kind) {
        withModel((b, m, x, dScores, counters) -> {
            try (Sampler s = Samplers.create(m, dScores, spec(kind, 1, 0.1f, 0.01f));
                 Buf big = b.alloc((long) (ROWS + 1) * INPUTS)) {
                assertThrows(IllegalArgumentException.class, () -> s.refine(big, ROWS + 1, null, 1, counters));
            }
        });
    }

    /**
     * One chain over [image-energy rows; class-conditional rows] moves each row exactly as a chain
     * of its own kind over the same rows would (same products, same noise per element).
     */
    @ParameterizedTest
    @MethodSource("samplers")
    void aPartlyConditionalChainMovesEachRowAsItsOwnKind(String kind) {
        withModel((b, m, x, dScores, counters) -> {
            int conditional = 2, image = ROWS - conditional;
            float[] grad = new float[ROWS * CLASSES];
            for (int r = 0; r < ROWS; r++) {
                grad[r * CLASSES + r % CLASSES] = -1f;
            }
            try (Sampler s = Samplers.create(m, dScores, spec(kind, 4, 0.5f, 0.05f));
                 Buf all = b.alloc(grad.length); Buf last = b.alloc((long) conditional * CLASSES)) {
                b.upload(all, grad);
                b.upload(last, Arrays.copyOfRange(grad, image * CLASSES, ROWS * CLASSES));
                float[] imageChain = run(b, s, x, counters, 1, null);
                float[] classChain = run(b, s, x, counters, 1, all);
                b.upload(x, start());
                int[] c = new int[Counters.SIZE];
                c[Counters.STEP_LO] = 1;
                b.uploadInt(counters, 0, c, 0, c.length);
                s.refinePartlyConditional(x, ROWS, conditional, last, 17, counters);
                float[] mixed = b.download(x);
                int split = image * INPUTS;
                assertArrayEquals(Arrays.copyOfRange(imageChain, 0, split), Arrays.copyOfRange(mixed, 0, split), 0f);
                assertArrayEquals(Arrays.copyOfRange(classChain, split, mixed.length),
                        Arrays.copyOfRange(mixed, split, mixed.length), 0f);
                assertFalse(Arrays.equals(imageChain, classChain), "the two energies move the chains differently");
                assertThrows(IllegalArgumentException.class, () -> s.refinePartlyConditional(x, ROWS, 2, null, 1, counters));
                assertThrows(IllegalArgumentException.class, () -> s.refinePartlyConditional(x, ROWS, ROWS + 1, all, 1,
                        counters));
            }
        });
    }

    @ParameterizedTest
    @MethodSource("samplers")
    void aChainIsClampedOnItsRhythm(String kind) {
        withModel((b, m, x, dScores, counters) -> {
            SamplerSpec chain = spec(kind, 4, 0.5f, 0.05f);
            float[] endOnly, everyFourth, everyStep;
            try (Sampler s = Samplers.create(m, dScores, chain)) {
                endOnly = run(b, s, x, counters, 1, null);
            }
            try (Sampler s = Samplers.create(m, dScores, chain.clampedEvery(4))) {
                everyFourth = run(b, s, x, counters, 1, null);
            }
            try (Sampler s = Samplers.create(m, dScores, chain.clampedEvery(1))) {
                everyStep = run(b, s, x, counters, 1, null);
            }
            assertArrayEquals(endOnly, everyFourth, 0f, "a rhythm of the chain's length clamps only at its end");
            // the start holds pixels outside [-1, 1]: clamped after the first step, they move the rest differently
            assertFalse(Arrays.equals(endOnly, everyStep), "a clamp after every step changes the chain");
            for (float v : everyStep) {
                assertTrue(v >= -1f && v <= 1f, "clamped: " + v);
            }
        });
    }

    @Test
    void aNoiseFreeLangevinChainClampedEveryStepIsOneStepChainsInARow() {
        withModel((b, m, x, dScores, counters) -> {
            SamplerSpec oneStep = spec(LangevinSampler.NAME, 1, 0.5f, 0f);
            float[] inARow;
            try (Sampler s = Samplers.create(m, dScores, oneStep)) {
                run(b, s, x, counters, 1, null);
                s.refine(x, ROWS, null, 17, counters);
                s.refine(x, ROWS, null, 17, counters);
                inARow = b.download(x);
            }
            try (Sampler s = Samplers.create(m, dScores, spec(LangevinSampler.NAME, 3, 0.5f, 0f).clampedEvery(1))) {
                assertArrayEquals(inARow, run(b, s, x, counters, 1, null), 0f);
            }
            try (Sampler s = Samplers.create(m, dScores, spec(LangevinSampler.NAME, 3, 0.5f, 0f))) {
                assertFalse(Arrays.equals(inARow, run(b, s, x, counters, 1, null)), "clamped only at the end");
            }
        });
    }
}
