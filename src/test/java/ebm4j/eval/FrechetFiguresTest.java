package ebm4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.compute.Backend;
import ebm4j.compute.Philox;
import ebm4j.compute.cpu.CpuBackend;
import ebm4j.compute.cpu.GemmChoice;
import ebm4j.data.ImageShape;
import ebm4j.model.EnergyModel;
import ebm4j.model.ModelSpec;
import ebm4j.model.Models;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A judge's Fréchet figures on a small random MLP (12 inputs, last hidden width 6, capacity 16 so
 * that features come in several chunks): samples identical to the test images score 0, below the
 * training-image floor; samples of other images score above it; each N uses the first N rows.
 */
class FrechetFiguresTest {
    private static final ModelSpec SPEC = new ModelSpec("mlp", new ImageShape(3, 4, 1), 5, List.of(8, 6));
    private static final int ROWS = 300;

    @Test
    void samplesLikeTheTestImagesScoreZeroAndDifferentSamplesScoreAboveTheFloor() {
        float[] test = images(1, 0f, 1f), train = images(2, 0f, 1f);
        try (Backend b = new CpuBackend(1, GemmChoice.JAVA); EnergyModel judge = Models.create(b, SPEC, 16)) {
            judge.initialise(3);
            Map<String, Map<String, Double>> same = FrechetFigures.of(judge,
                    new FrechetFigures.Sets(test, train, test, SPEC.inputs(), List.of(50, ROWS)));
            assertEquals(List.of("50", "300"), List.copyOf(same.keySet()));
            for (Map<String, Double> atN : same.values()) {
                assertEquals(List.of(FrechetFigures.SAMPLES, FrechetFigures.TRAIN_FLOOR), List.copyOf(atN.keySet()));
                assertEquals(0, atN.get(FrechetFigures.SAMPLES), 1e-6, "the test images themselves");
                assertTrue(atN.get(FrechetFigures.TRAIN_FLOOR) > 1e-4, "other draws of the same distribution: " + atN);
            }
            // squeezed towards 0.5: another distribution, farther from the test images than the training images are
            float[] other = images(4, 0.5f, 0.6f);
            Map<String, Map<String, Double>> different = FrechetFigures.of(judge,
                    new FrechetFigures.Sets(other, train, test, SPEC.inputs(), List.of(ROWS)));
            Map<String, Double> atN = different.get("300");
            assertTrue(atN.get(FrechetFigures.SAMPLES) > 3 * atN.get(FrechetFigures.TRAIN_FLOOR), atN.toString());
            assertEquals(same.get("300").get(FrechetFigures.TRAIN_FLOOR), atN.get(FrechetFigures.TRAIN_FLOOR), 0,
                    "the floor does not depend on the samples");
        }
    }

    /** N = 50 reads only the first 50 rows: what follows them cannot change its figures. */
    @Test
    void eachSizeUsesTheFirstNRows() {
        float[] test = images(1, 0f, 1f), train = images(2, 0f, 1f), samples = images(5, 0f, 1f);
        float[] changedTail = samples.clone();
        for (int i = 50 * SPEC.inputs(); i < changedTail.length; i++) {
            changedTail[i] = 0.9f;
        }
        try (Backend b = new CpuBackend(1, GemmChoice.JAVA); EnergyModel judge = Models.create(b, SPEC, 16)) {
            judge.initialise(3);
            double a = FrechetFigures.of(judge, new FrechetFigures.Sets(samples, train, test, SPEC.inputs(),
                    List.of(50))).get("50").get(FrechetFigures.SAMPLES);
            double c = FrechetFigures.of(judge, new FrechetFigures.Sets(changedTail, train, test, SPEC.inputs(),
                    List.of(50, ROWS))).get("50").get(FrechetFigures.SAMPLES);
            assertEquals(a, c, 0);
        }
    }

    @Test
    void setsAreCheckedAgainstTheSizes() {
        float[] few = images(1, 0f, 1f);
        assertThrows(IllegalArgumentException.class,
                () -> new FrechetFigures.Sets(few, few, few, SPEC.inputs(), List.of(ROWS + 1)));
        assertThrows(IllegalArgumentException.class,
                () -> new FrechetFigures.Sets(few, few, few, SPEC.inputs(), List.of(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new FrechetFigures.Sets(few, few, few, SPEC.inputs(), List.of()));
    }

    /** ROWS images with pixels uniform in [centre - spread, centre + spread]. */
    private static float[] images(int stream, float centre, float spread) {
        float[] x = new float[ROWS * SPEC.inputs()];
        Philox.uniforms(11, 0, stream, 0, x, x.length, centre - spread, centre + spread);
        return x;
    }
}
