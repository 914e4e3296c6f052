package ebm4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Accuracy, cross-entropy, mean energy and ECE of four rows whose confidences are set by their
 * logits: two at 0.9 (one right, one wrong) fall in the 15-bin histogram's bin 13, two at 0.62
 * (both right) in bin 9. ECE = 2/4 * |0.5 - 0.9| + 2/4 * |1 - 0.62| = 0.2 + 0.19 = 0.39.
 */
class ClassificationTest {
    @Test
    void knownValues() {
        float high = (float) Math.log(9), mid = (float) Math.log(0.62 / 0.38);
        float[] scores = {high, 0, high, 0, mid, 0, 0, mid};
        int[] labels = {0, 1, 0, 1};
        Classification c = Classification.of(scores, labels, 4, 2, -1f);
        assertEquals(4, c.count());
        assertEquals(0.75, c.accuracy(), 1e-12);
        double p9 = 1 / (1 + Math.exp(-(double) high)), p62 = 1 / (1 + Math.exp(-(double) mid));
        assertEquals(0.39, c.ece(), 1e-6);
        assertEquals((-Math.log(p9) - Math.log(1 - p9) - 2 * Math.log(p62)) / 4, c.crossEntropy(), 1e-6);
        double lse9 = Math.log(Math.exp(high) + 1), lse62 = Math.log(Math.exp(mid) + 1);
        assertEquals(-(2 * lse9 + 2 * lse62) / 4, c.meanEnergy(), 1e-6);
    }

    @Test
    void aPerfectlyCalibratedBinHasNoError() {
        // four rows at confidence 0.75 (bin 11), three right: accuracy 0.75 = confidence
        float s = (float) Math.log(3);
        Classification c = Classification.of(new float[] {s, 0, s, 0, s, 0, s, 0}, new int[] {0, 0, 0, 1}, 4, 2, 1f);
        assertEquals(0.0, c.ece(), 1e-6);
    }
}
