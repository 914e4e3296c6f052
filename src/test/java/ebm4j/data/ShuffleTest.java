package ebm4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ShuffleTest {
    @Test
    void isAPermutation() {
        for (int n : new int[] {0, 1, 2, 7, 1000}) {
            int[] p = Shuffle.permutation(n, 42, 3);
            int[] sorted = p.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) {
                assertEquals(i, sorted[i], "n=" + n);
            }
        }
    }

    @Test
    void isDeterministicPerSeedAndEpoch() {
        assertArrayEquals(Shuffle.permutation(1000, 7, 2), Shuffle.permutation(1000, 7, 2));
        assertFalse(Arrays.equals(Shuffle.permutation(1000, 7, 2), Shuffle.permutation(1000, 7, 3)));
        assertFalse(Arrays.equals(Shuffle.permutation(1000, 7, 2), Shuffle.permutation(1000, 8, 2)));
    }

    @Test
    void pinnedOrder() {
        // Pins the algorithm: a change here changes every run's batches, so make it on purpose.
        assertArrayEquals(new int[] {7, 8, 3, 4, 1, 0, 5, 6, 2, 9}, Shuffle.permutation(10, 1, 0));
        assertArrayEquals(new int[] {8, 2, 0, 5, 4, 7, 6, 3, 1, 9}, Shuffle.permutation(10, 1, 1));
    }
}
