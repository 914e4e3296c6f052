package ebm4j.train;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.IntBuf;
import ebm4j.model.EnergyNet;

/**
 * Draws negative samples by Langevin dynamics on the image energy E(x) = sign * LSE(net(x)):
 * x_0 ~ U(-1, 1), x_{t+1} = x_t - alpha * dE/dx(x_t) + sigma * N(0, I), clamped to [-1, 1] at
 * the end. Only the data gradient is computed (no weight gradients), and no gradient flows
 * through the chain. All work is queued on the backend; nothing is read back.
 *
 * <p>Random streams: the uniform start uses {@link #INIT_STREAM}, step t uses
 * {@code LANGEVIN_STREAM + t}, all at the Philox step held in the counters buffer, so one
 * training step's noise is a pure function of (seed, step).
 */
public final class LangevinSampler {
    public static final int INIT_STREAM = 1;
    public static final int DATA_NOISE_STREAM = 2;
    public static final int LANGEVIN_STREAM = 16;

    private final EnergyNet net;
    private final Buf dScores;
    private final Buf dx;

    public LangevinSampler(EnergyNet net, Buf dScores) {
        this.net = net;
        this.dScores = dScores;
        this.dx = net.backend().alloc((long) net.capacity() * net.layout().inputs());
    }

    /** Settings of one chain. */
    public record Chain(int steps, float alpha, float sigma, float gradClip, float energySign) {}

    /**
     * Runs a chain from uniform noise into x:(rows, inputs). Also used by {@code ebm4j sample}.
     * Noise draws read the step from counters; the caller advances it.
     */
    public void sample(Buf x, int rows, Chain chain, long seed, IntBuf counters) {
        Backend b = net.backend();
        long n = (long) rows * net.layout().inputs();
        b.uniformFill(x, n, -1f, 1f, seed, counters, INIT_STREAM);
        refine(x, rows, chain, seed, counters);
    }

    /**
     * Class-conditional chain: descends E(x, y) = sign * s_y instead of sign * LSE(s).
     * classGrad:(rows, classes) holds sign * onehot(y) per row and stays fixed during the chain.
     */
    public void sampleConditional(Buf x, int rows, Chain chain, long seed, IntBuf counters, Buf classGrad) {
        Backend b = net.backend();
        b.uniformFill(x, (long) rows * net.layout().inputs(), -1f, 1f, seed, counters, INIT_STREAM);
        run(x, rows, chain, seed, counters, classGrad);
    }

    /** Runs the chain's steps starting from the current x, then clamps to [-1, 1]. */
    public void refine(Buf x, int rows, Chain chain, long seed, IntBuf counters) {
        run(x, rows, chain, seed, counters, null);
    }

    /** Like {@link #refine} on the class-conditional energy (see {@link #sampleConditional}). */
    public void refineConditional(Buf x, int rows, Chain chain, long seed, IntBuf counters, Buf classGrad) {
        run(x, rows, chain, seed, counters, classGrad);
    }

    private void run(Buf x, int rows, Chain chain, long seed, IntBuf counters, Buf fixedScoreGrad) {
        Backend b = net.backend();
        int classes = net.layout().outputs();
        long n = (long) rows * net.layout().inputs();
        for (int t = 0; t < chain.steps(); t++) {
            Buf scores = net.forward(x, rows); // also keeps the activations the backward pass needs
            Buf grad = dScores;
            if (fixedScoreGrad == null) {
                b.energyGrad(dScores, null, scores, rows, classes, chain.energySign());
            } else {
                grad = fixedScoreGrad;
            }
            net.backward(grad, rows, x, false, dx);
            b.langevinUpdate(x, dx, n, chain.alpha(), chain.sigma(), chain.gradClip(), seed, counters,
                    LANGEVIN_STREAM + t);
        }
        b.clamp(x, n, -1f, 1f);
    }

    public void close() {
        dx.close();
    }
}
