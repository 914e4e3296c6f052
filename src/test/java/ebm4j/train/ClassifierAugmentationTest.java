package ebm4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.IntBuf;
import ebm4j.compute.LossStats;
import ebm4j.compute.cpu.CpuBackend;
import ebm4j.compute.cpu.GemmChoice;
import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import ebm4j.data.ImageShape;
import ebm4j.model.EnergyModel;
import ebm4j.model.ModelSpec;
import ebm4j.model.Models;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code augment_target=classifier}: one step's gradient is the joint loss's on the untranslated
 * batch plus the cross-entropy's on its translated copy, which the two other configurations
 * compute on their own (no augmentation; a plain classifier on the translated batch). Same seed,
 * same counters, so the same batch, translations and Langevin negatives in all three.
 */
class ClassifierAugmentationTest {
    private static final ImageShape SHAPE = new ImageShape(10, 10, 1);
    private static final int CLASSES = 3;
    private static final int BATCH = 6;

    /** @param translated the step's translated copy of the batch, or null without one */
    private record Step(float[] grads, float[] stats, float[] translated) {}

    private static TrainConfig config(Map<String, String> options) {
        Map<String, String> o = new HashMap<>(Map.of("hidden_dims", "16,16", "batch_size", "" + BATCH,
                "langevin_steps", "2", "replay_size", "0", "data_noise", "0", "augment_shift", "2"));
        o.putAll(options);
        return ConfigLoader.load(null, o);
    }

    private static Step oneStep(Map<String, String> options) {
        TrainConfig config = config(options);
        SplittableRandom r = new SplittableRandom(3);
        int rows = 12;
        float[] table = new float[rows * SHAPE.pixels()];
        for (int i = 0; i < table.length; i++) {
            table[i] = (float) (2 * r.nextDouble() - 1);
        }
        int[] labels = new int[rows];
        int[] perm = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = r.nextInt(CLASSES);
            perm[i] = (i * 7) % rows;
        }
        try (Backend b = new CpuBackend(1, GemmChoice.JAVA);
             EnergyModel net = Models.create(b, ModelSpec.of(config, SHAPE, CLASSES), config.passBatches() * BATCH);
             Buf t = b.alloc(table.length); IntBuf y = b.allocInt(rows); IntBuf p = b.allocInt(rows);
             IntBuf counters = b.allocInt(Counters.SIZE); Buf stats = b.alloc(LossStats.SIZE);
             TrainStep step = new TrainStep(net, config, counters, stats)) {
            net.initialise(config.seed());
            b.upload(t, table);
            b.uploadInt(y, 0, labels, 0, rows);
            b.uploadInt(p, 0, perm, 0, rows);
            step.enqueue(BATCH, t, y, p);
            b.synchronize();
            float[] translated = config.augmentsClassifierOnly() ? b.download(step.lastTranslated(BATCH)) : null;
            return new Step(b.download(net.grads()), b.download(stats), translated);
        }
    }

    @Test
    void theClassifierSeesTheTranslatedCopyAndTheEnergyOnlyTheRealBatch() {
        Step both = oneStep(Map.of("augment_target", "classifier"));
        Step joint = oneStep(Map.of("augment_shift", "0"));
        Step translatedClassifier = oneStep(Map.of("augment_target", "all", "objective", "classifier"));
        Step allTranslated = oneStep(Map.of("augment_target", "all"));

        // the reported energies are the real batch's, not the translated one's
        assertEquals(joint.stats()[LossStats.E_REAL], both.stats()[LossStats.E_REAL], 1e-5f);
        assertEquals(joint.stats()[LossStats.E_SAMPLE], both.stats()[LossStats.E_SAMPLE], 1e-5f);
        assertTrue(Math.abs(allTranslated.stats()[LossStats.E_REAL] - joint.stats()[LossStats.E_REAL]) > 1e-4f,
                "translating every term moves E_real, so the check above can tell the two apart");

        float[] g = both.grads();
        double largest = 0;
        double largestMismatch = 0;
        for (int i = 0; i < g.length; i++) {
            float expected = joint.grads()[i] + translatedClassifier.grads()[i];
            largest = Math.max(largest, Math.abs(expected));
            largestMismatch = Math.max(largestMismatch, Math.abs(g[i] - expected));
        }
        assertTrue(largest > 1e-3, "the gradient is not trivially zero");
        // the same products, summed over 3 instead of 2 batches of rows: float rounding only
        assertTrue(largestMismatch <= 1e-5 * Math.max(1, largest),
                "gradient = joint(real) + cross-entropy(translated); off by " + largestMismatch);
    }

    @Test
    void theProjectedCrossEntropyChangesOnlyTheTranslatedCopysPart() {
        Step plain = oneStep(Map.of("augment_target", "classifier"));
        Step projected = oneStep(Map.of("augment_target", "classifier_projected"));
        // the same batch and negatives, and the reported figures are the real batch's
        assertArrayEquals(plain.stats(), projected.stats());
        double largestChange = 0;
        for (int i = 0; i < plain.grads().length; i++) {
            largestChange = Math.max(largestChange, Math.abs(plain.grads()[i] - projected.grads()[i]));
        }
        assertTrue(largestChange > 1e-5, "the projection changes the step's gradient");
    }

    /**
     * {@code classifier_negative} adds to the projected step the gradient of a sample's energy
     * terms on the translated rows, {@code F = -gen * mean E_t + l2 * mean E_t^2}. Checked by a
     * central difference of F along the added part D: if D is the gradient of F, then
     * {@code (F(theta + eps D) - F(theta - eps D)) / 2 eps = |D|^2}.
     */
    @Test
    void translatedCopiesAsNegativesAddASamplesEnergyTermsOnTheirRows() {
        Map<String, String> options = Map.of("augment_target", "classifier_negative");
        Step negative = oneStep(options);
        Step projected = oneStep(Map.of("augment_target", "classifier_projected"));
        assertArrayEquals(projected.translated(), negative.translated(), "the same translated copy");
        assertArrayEquals(projected.stats(), negative.stats(), "the reported figures are the real batch's");

        float[] added = new float[negative.grads().length];
        double squaredNorm = 0;
        for (int i = 0; i < added.length; i++) {
            added[i] = negative.grads()[i] - projected.grads()[i];
            squaredNorm += (double) added[i] * added[i];
        }
        assertTrue(squaredNorm > 1e-10, "the translated rows' energy terms change the gradient");

        TrainConfig config = config(options);
        double eps = 1e-2 / Math.sqrt(squaredNorm); // a step of 0.01 in parameter norm
        double slope = (energyTerms(config, negative.translated(), added, eps)
                - energyTerms(config, negative.translated(), added, -eps)) / (2 * eps);
        assertEquals(squaredNorm, slope, 0.02 * squaredNorm, "D is the gradient of F");
    }

    /** F at the initial parameters moved by {@code eps * direction}, on the given rows. */
    private static double energyTerms(TrainConfig config, float[] rows, float[] direction, double eps) {
        try (Backend b = new CpuBackend(1, GemmChoice.JAVA);
             EnergyModel net = Models.create(b, ModelSpec.of(config, SHAPE, CLASSES), BATCH);
             Buf x = b.alloc(rows.length); Buf energies = b.alloc(BATCH);
             Buf dScores = net.newScoresBuffer()) {
            net.initialise(config.seed());
            float[] params = b.download(net.params());
            for (int i = 0; i < params.length; i++) {
                params[i] += (float) (eps * direction[i]);
            }
            b.upload(net.params(), params);
            b.upload(x, rows);
            Buf scores = net.forward(x, BATCH);
            b.energyGrad(dScores, energies, scores, BATCH, CLASSES, config.energySign().sign());
            double sum = 0, sumSquares = 0;
            for (float e : b.download(energies)) {
                sum += e;
                sumSquares += (double) e * e;
            }
            return -config.genWeight() * sum / BATCH + config.energyL2() * sumSquares / BATCH;
        }
    }
}
