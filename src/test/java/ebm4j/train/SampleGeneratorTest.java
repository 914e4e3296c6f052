package ebm4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ebm4j.compute.Backend;
import ebm4j.compute.cpu.CpuBackend;
import ebm4j.data.Shuffle;
import ebm4j.model.EnergyNet;
import ebm4j.model.ParameterLayout;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SampleGeneratorTest {
    private static final int INPUTS = 784;

    /** A pool of 5 rows, row r filled with r / 4 - 0.5 and one out-of-range pixel to be clamped. */
    private static float[] pool() {
        float[] pool = new float[5 * INPUTS];
        for (int r = 0; r < 5; r++) {
            Arrays.fill(pool, r * INPUTS, (r + 1) * INPUTS, r / 4f - 0.5f);
            pool[r * INPUTS] = 3f;
        }
        return pool;
    }

    /** With no Langevin steps a chain is its start: seeded pool rows, cycling, clamped to [-1, 1]. */
    @Test
    void zeroStepChainsReturnTheSeededPoolRowsInOrder() {
        LangevinSampler.Chain none = new LangevinSampler.Chain(0, 1f, 0.01f, 0f, -1f);
        try (Backend b = new CpuBackend();
             EnergyNet net = new EnergyNet(b, ParameterLayout.of(INPUTS, List.of(8), 10), 3)) {
            net.initialise(1);
            float[] pool = pool();
            float[] out = SampleGenerator.generate(net, none, 7, 7, null, pool);
            int[] order = Shuffle.permutation(5, 7, 0);
            for (int i = 0; i < 7; i++) {
                int row = order[i % 5];
                float[] expected = Arrays.copyOfRange(pool, row * INPUTS, (row + 1) * INPUTS);
                expected[0] = 1f;
                assertArrayEquals(expected, Arrays.copyOfRange(out, i * INPUTS, (i + 1) * INPUTS), 0f, "sample " + i);
            }
            int[] classes = {0, 1, 2, 3, 4, 5, 6};
            assertArrayEquals(out, SampleGenerator.generate(net, none, 7, 7, classes, pool), 0f,
                    "a conditional chain with no steps is also its start");
        }
    }

    /** Steps move the start; a different seed picks different rows. */
    @Test
    void stepsMoveThePoolRowsAndTheSeedPicksThem() {
        try (Backend b = new CpuBackend();
             EnergyNet net = new EnergyNet(b, ParameterLayout.of(INPUTS, List.of(8), 10), 4)) {
            net.initialise(1);
            float[] pool = pool();
            LangevinSampler.Chain none = new LangevinSampler.Chain(0, 1f, 0.01f, 0f, -1f);
            LangevinSampler.Chain some = new LangevinSampler.Chain(3, 1f, 0.01f, 0f, -1f);
            float[] start = SampleGenerator.generate(net, none, 3, 4, null, pool);
            assertFalse(Arrays.equals(start, SampleGenerator.generate(net, some, 3, 4, null, pool)));
            assertFalse(Arrays.equals(start, SampleGenerator.generate(net, none, 4, 4, null, pool)));
            assertEquals(4 * INPUTS, start.length);
        }
    }
}
