package ebm4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.IntBuf;
import ebm4j.compute.Philox;
import ebm4j.compute.cpu.CpuBackend;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Chains leave the pool and come back to the same slot; reinit 1 always restarts from noise. */
class ReplayBufferTest {
    private static final int BATCH = 3, INPUTS = 5;

    /** Runs steps 0..2 of an epoch, writing 10+step into every chain; returns each step's start states. */
    private static float[][] run(float reinit) {
        float[][] starts = new float[3][];
        try (Backend b = new CpuBackend(); IntBuf counters = b.allocInt(Counters.SIZE);
             Buf negatives = b.alloc(BATCH * INPUTS);
             ReplayBuffer replay = new ReplayBuffer(b, 2 * BATCH + 1, reinit, BATCH, INPUTS, 9)) {
            assertEquals(2 * BATCH, replay.size(), "whole slots only");
            replay.prepareEpoch(0, 4, 0, 0);
            for (int step = 0; step < 3; step++) {
                int[] c = new int[Counters.SIZE];
                c[Counters.CURSOR] = step * BATCH; // where the data gather of this batch reads
                c[Counters.STEP_LO] = step;
                b.uploadInt(counters, 0, c, 0, c.length);
                replay.startChains(negatives, BATCH, counters);
                starts[step] = b.download(negatives);
                b.fill(negatives, BATCH * INPUTS, 10 + step);
                replay.keepChains(negatives, BATCH);
            }
        }
        return starts;
    }

    @Test
    void chainsPersistAcrossStepsInTheirSlot() {
        float[][] s = run(0f);
        float[] initial = new float[2 * BATCH * INPUTS];
        Philox.uniforms(9, 0, ReplayBuffer.INIT_STREAM, 0, initial, initial.length, -1f, 1f);
        assertArrayEquals(Arrays.copyOfRange(initial, 0, BATCH * INPUTS), s[0], "step 0 starts from slot 0");
        assertArrayEquals(Arrays.copyOfRange(initial, BATCH * INPUTS, 2 * BATCH * INPUTS), s[1], "slot 1");
        float[] tens = new float[BATCH * INPUTS];
        Arrays.fill(tens, 10f);
        assertArrayEquals(tens, s[2], "step 2 continues the chains step 0 left in slot 0");
    }

    @Test
    void reinitOneAlwaysStartsFromFreshNoise() {
        float[][] s = run(1f);
        for (float v : s[2]) {
            assertNotEquals(10f, v);
            assertEquals(0, v, 1.0);
        }
        assertNotEquals(Arrays.toString(s[0]), Arrays.toString(s[1]), "fresh noise differs per step");
    }
}
