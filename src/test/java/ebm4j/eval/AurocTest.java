package ebm4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** AUROC against values worked out by hand, ties included, and against the pairwise definition. */
class AurocTest {
    @Test
    void separationExtremesAndAllTies() {
        assertEquals(1.0, Auroc.of(new double[] {3, 4}, new double[] {1, 2}));
        assertEquals(0.0, Auroc.of(new double[] {1, 2}, new double[] {3, 4}));
        assertEquals(0.5, Auroc.of(new double[] {2, 2, 2}, new double[] {2, 2}));
    }

    /** Pairs (p, n): (3,2) 1, (3,1) 1, (2,2) 1/2, (2,1) 1, twice for the two 2s: 5 of 6. */
    @Test
    void tiesCountOneHalf() {
        assertEquals(5.0 / 6, Auroc.of(new double[] {3, 2, 2}, new double[] {2, 1}), 1e-15);
    }

    @Test
    void equalsTheFractionOfPairsAPositiveWinsOnDataWithManyTies() {
        SplittableRandom r = new SplittableRandom(4);
        double[] pos = new double[300], neg = new double[200];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = r.nextInt(6);
        }
        for (int i = 0; i < neg.length; i++) {
            neg[i] = r.nextInt(4);
        }
        double wins = 0;
        for (double p : pos) {
            for (double n : neg) {
                wins += p > n ? 1 : p == n ? 0.5 : 0;
            }
        }
        assertEquals(wins / (pos.length * neg.length), Auroc.of(pos, neg), 1e-12);
    }

    @Test
    void needsBothClasses() {
        assertThrows(IllegalArgumentException.class, () -> Auroc.of(new double[0], new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Auroc.of(new double[] {1}, new double[0]));
    }
}
