package ebm4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.IntBuf;
import ebm4j.compute.Philox;
import ebm4j.compute.cpu.CpuBackend;
import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Chains leave the pool and come back to the same slot; reinit 1 always restarts from noise; the
 * run's last epoch restarts with replay_reinit_final.
 */
class ReplayBufferTest {
    private static final int BATCH = 3, INPUTS = 5;

    /** Runs steps 0..2 of an epoch, writing 10+step into every chain; returns each step's start states. */
    private static float[][] run(float reinit) {
        float[][] starts = new float[3][];
        try (Backend b = new CpuBackend(); IntBuf counters = b.allocInt(Counters.SIZE);
             Buf negatives = b.alloc(BATCH * INPUTS);
             ReplayBuffer replay = new ReplayBuffer(b, 2 * BATCH + 1, ReplayBuffer.Reinit.constant(reinit), BATCH,
                     INPUTS, 9)) {
            assertEquals(2 * BATCH, replay.size(), "whole slots only");
            replay.prepareEpoch(0, 4, 0, 0);
            for (int step = 0; step < 3; step++) {
                starts[step] = start(b, replay, negatives, counters, step);
                b.fill(negatives, BATCH * INPUTS, 10 + step);
                replay.keepChains(negatives, BATCH);
            }
        }
        return starts;
    }

    /** Starts step {@code step}'s chains (the data cursor at its batch) and returns their start states. */
    private static float[] start(Backend b, ReplayBuffer pool, Buf negatives, IntBuf counters, int step) {
        int[] c = new int[Counters.SIZE];
        c[Counters.CURSOR] = step * BATCH; // where the data gather of this batch reads
        c[Counters.STEP_LO] = step;
        b.uploadInt(counters, 0, c, 0, c.length);
        pool.startChains(negatives, BATCH, counters);
        return b.download(negatives);
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

    /**
     * replay_reinit 0 and replay_reinit_final 1 in a run of two epochs, wired as training wires it
     * (ChainPools from the config): one slot of one batch, so every step continues the chain the
     * step before left there, until the last epoch restarts every chain from noise.
     */
    @Test
    void theRunsLastEpochRestartsWithReplayReinitFinal() {
        TrainConfig config = ConfigLoader.load(null, Map.of("epochs", "2", "batch_size", "" + BATCH, "replay_size",
                "" + BATCH, "replay_reinit", "0", "replay_reinit_final", "1"));
        try (Backend b = new CpuBackend(); IntBuf counters = b.allocInt(Counters.SIZE);
             Buf negatives = b.alloc(BATCH * INPUTS); ChainPools pools = new ChainPools(b, config, INPUTS, 10)) {
            pools.prepareEpoch(0, 2, 0, 0);
            for (int step = 0; step < 2; step++) {
                float[] states = start(b, pools, negatives, counters, step, step);
                if (step == 1) {
                    assertEquals(10f, states[0], "epoch 0 continues the chain");
                }
                b.fill(negatives, BATCH * INPUTS, 10 + step);
                pools.keep(negatives, BATCH);
            }
            pools.prepareEpoch(1, 2, 0, 2);
            float[] states = start(b, pools, negatives, counters, 0, 2);
            for (float v : states) {
                assertTrue(Math.abs(v) <= 1f, "the last epoch restarts it from noise, not from 11: " + v);
            }
        }
    }

    /** Starts a step's chains through the pools: the data cursor at batch {@code batch}, Philox step {@code step}. */
    private static float[] start(Backend b, ChainPools pools, Buf negatives, IntBuf counters, int batch, int step) {
        int[] c = new int[Counters.SIZE];
        c[Counters.CURSOR] = batch * BATCH;
        c[Counters.STEP_LO] = step;
        b.uploadInt(counters, 0, c, 0, c.length);
        pools.start(negatives, BATCH, counters);
        return b.download(negatives);
    }

    /**
     * The short-lived pool: 2 chains per step of 3 rows, each chain restarting after exactly 3
     * uses; slot s restarts at use k when (k + s) % 3 == 0, so the three slots' ages are staggered;
     * the step's third row is not the pool's and always starts from fresh noise.
     */
    @Test
    void fixedLifeChainsRestartAfterExactlyTheirUsesInStaggeredSlots() {
        int chains = 2, uses = 3, steps = 12;
        try (Backend b = new CpuBackend(); IntBuf counters = b.allocInt(Counters.SIZE);
             Buf negatives = b.alloc(BATCH * INPUTS);
             ReplayBuffer pool = ReplayBuffer.fixedLife(b, chains, uses, BATCH, INPUTS, 9)) {
            assertEquals(chains * uses, pool.size());
            pool.prepareEpoch(0, steps, 0, 0);
            int[] lastWriter = {-1, -1, -1}; // the step that last returned chains to each slot
            int[] age = new int[uses]; // uses since the slot's last restart
            for (int step = 0; step < steps; step++) {
                float[] states = start(b, pool, negatives, counters, step);
                int slot = step % uses, use = step / uses;
                boolean restart = (use + slot) % uses == 0;
                for (int r = 0; r < BATCH; r++) {
                    float v = states[r * INPUTS];
                    boolean fresh = r >= chains || restart || lastWriter[slot] < 0;
                    if (fresh) {
                        assertTrue(v >= -1f && v < 1f, "step " + step + " row " + r + " starts from noise: " + v);
                    } else {
                        assertEquals(10f + lastWriter[slot], v, "step " + step + " row " + r + " continues its chain");
                    }
                }
                age[slot] = restart ? 1 : age[slot] + 1;
                assertTrue(age[slot] <= uses, "no chain outlives " + uses + " uses");
                b.fill(negatives, BATCH * INPUTS, 10 + step);
                pool.keepChains(negatives, chains);
                lastWriter[slot] = step;
            }
            float[] rows = pool.contents();
            for (float v : rows) {
                assertTrue(v >= 10f + steps - uses, "every slot holds a chain of the last round: " + v);
            }
        }
    }

    /** A pool that shares its steps: the rows past its chains read fresh noise and never reach the pool. */
    @Test
    void aSharingPoolKeepsOnlyItsOwnRows() {
        int chains = 2;
        try (Backend b = new CpuBackend(); IntBuf counters = b.allocInt(Counters.SIZE);
             Buf negatives = b.alloc(BATCH * INPUTS);
             ReplayBuffer pool = ReplayBuffer.sharing(b, 2 * chains + 1, ReplayBuffer.Reinit.constant(0f), chains,
                     BATCH, INPUTS, 9)) {
            assertEquals(2 * chains, pool.size(), "whole slots of the pool's chains");
            pool.prepareEpoch(0, 4, 0, 0);
            for (int step = 0; step < 4; step++) {
                float[] states = start(b, pool, negatives, counters, step);
                if (step >= 2) {
                    assertEquals(10f + step - 2, states[0], "row 0 continues the chain of slot " + step % 2);
                }
                assertTrue(Math.abs(states[chains * INPUTS]) <= 1f, "the shared row starts from noise");
                float[] out = new float[BATCH * INPUTS];
                for (int i = 0; i < out.length; i++) {
                    out[i] = i < chains * INPUTS ? 10 + step : 100 + step;
                }
                b.upload(negatives, out);
                pool.keepChains(negatives, BATCH);
            }
            for (float v : pool.contents()) {
                assertTrue(v == 12f || v == 13f, "only the pool's rows return to it: " + v);
            }
        }
    }
}
