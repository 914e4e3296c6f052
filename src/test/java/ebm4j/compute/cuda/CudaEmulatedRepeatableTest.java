package ebm4j.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import ebm4j.compute.AdamSpec;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.IntBuf;
import ebm4j.compute.Parity;

/**
 * {@link CudaBackend#repeatable} never replays a graph that differs from what running the body
 * eagerly would do: the same key with another buffer or another host value (a fill value, a
 * learning rate) takes effect on that very call. On the emulated device with one pretend SM, as
 * the other emulated tests.
 */
class CudaEmulatedRepeatableTest {
    private CudaBackend backend;

    @BeforeEach
    void open() {
        String problem = EmulatedDevice.problem();
        Assumptions.assumeTrue(problem == null, () -> "kernel emulator unavailable: " + problem);
        backend = new CudaBackend(new EmulatedDevice(1));
    }

    @AfterEach
    void close() {
        if (backend != null) backend.close();
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    /** A body that fills whatever buffer and value the holders name when it runs. */
    private Runnable fillBody(Buf[] target, float[] value) {
        return () -> backend.fill(target[0], target[0].size(), value[0]);
    }

    @Test
    void aNewBufferUnderTheSameKeyGetsTheResultAndTheOldOneIsUntouched() {
        Buf old = backend.alloc(64);
        Buf[] target = {old};
        float[] value = {1f};
        backend.repeatable("fill", fillBody(target, value));
        Buf fresh = backend.alloc(64);   // allocated while the old one lives: another address
        target[0] = fresh;
        value[0] = 2f;
        backend.repeatable("fill", fillBody(target, value));
        assertArrayEquals(filled(64, 2f), backend.download(fresh), "the new buffer gets the result");
        assertArrayEquals(filled(64, 1f), backend.download(old), "the old buffer is untouched");
    }

    @Test
    void aBufferAllocatedAfterTheOldOneWasFreedGetsTheResult() {
        Buf old = backend.alloc(64);
        Buf[] target = {old};
        float[] value = {1f};
        backend.repeatable("fill", fillBody(target, value));
        old.close();
        Buf fresh = backend.alloc(64);
        target[0] = fresh;
        value[0] = 3f;
        backend.repeatable("fill", fillBody(target, value));
        assertArrayEquals(filled(64, 3f), backend.download(fresh));
    }

    @Test
    void aChangedHostValueTakesEffectOnTheSameBuffer() {
        Buf x = backend.alloc(64);
        Buf[] target = {x};
        float[] value = {1f};
        Runnable body = fillBody(target, value);
        backend.repeatable("fill", body);
        backend.repeatable("fill", body);
        value[0] = -4f;
        backend.repeatable("fill", body);
        assertArrayEquals(filled(64, -4f), backend.download(x));
    }

    @Test
    void theSameCommandsReplayOneGraph() {
        Buf x = backend.alloc(64);
        IntBuf c = backend.allocInt(Counters.SIZE);
        Runnable body = () -> {
            backend.fill(x, 64, 1f);
            backend.increment(c, Counters.ADAM_T, 1);
        };
        long before = backend.graphs().captures();
        for (int i = 0; i < 5; i++) backend.repeatable("steady", body);
        assertEquals(before + 1, backend.graphs().captures(), "one capture, four replays");
        assertEquals(5, backend.downloadInt(c)[Counters.ADAM_T], "every call ran");
    }

    @Test
    void freeingABufferDropsTheGraphsThatUseIt() {
        Buf x = backend.alloc(64), y = backend.alloc(64);
        Buf slice = x.slice(16, 8);
        backend.repeatable("x", () -> backend.fill(slice, 8, 1f));
        backend.repeatable("y", () -> backend.fill(y, 64, 1f));
        assertEquals(2, backend.graphs().size());
        x.close();
        assertEquals(1, backend.graphs().size(), "the graph that wrote into x is gone, y's stays");
        y.close();
        assertEquals(0, backend.graphs().size());
    }

    /** The rollback case: the same Adam step with half the learning rate equals the eager step. */
    @Test
    void aChangedLearningRateTakesEffect() {
        int n = 300;
        float[] p0 = new float[n], g = new float[n];
        for (int i = 0; i < n; i++) {
            p0[i] = (float) Math.sin(i);
            g[i] = (float) Math.cos(3 * i);
        }
        float[] viaGraph = adamTwice(p0, g, true);
        float[] eager = adamTwice(p0, g, false);
        Parity.assertBitEqual("two Adam steps, the second at half the rate", eager, viaGraph);
    }

    /** Params after one step at lr 1e-2 then one at 5e-3, each under the same key or eagerly. */
    private float[] adamTwice(float[] p0, float[] g, boolean repeatable) {
        int n = p0.length;
        try (Buf p = backend.alloc(n); Buf grads = backend.alloc(n); Buf m = backend.alloc(n); Buf v = backend.alloc(n);
             IntBuf c = backend.allocInt(Counters.SIZE)) {
            backend.upload(p, p0);
            backend.upload(grads, g);
            for (float lr : new float[] {1e-2f, 5e-3f}) {
                AdamSpec spec = new AdamSpec(lr, 0.9f, 0.999f, 1e-8f, 0, 0);
                Runnable step = () -> {
                    backend.adamStep(p, grads, m, v, n, c, spec);
                    backend.increment(c, Counters.ADAM_T, 1);
                };
                if (repeatable) backend.repeatable("adam", step);
                else step.run();
            }
            return backend.download(p);
        }
    }
}
