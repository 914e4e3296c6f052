package ebm4j.sample;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.IntBuf;
import ebm4j.model.EnergyModel;

/**
 * Langevin dynamics with a per-step size and noise: x_{t+1} = x_t - alpha_t * clip(dE/dx(x_t)) +
 * sigma_t * N(0, I), with a clamp to [-1, 1] every {@code clampEvery} steps and at the end. Each
 * step costs one forward pass and one backward pass to the input (no weight gradients); no
 * gradient flows through the chain. The subclasses choose the schedule ({@link #alpha},
 * {@link #sigma}); both are host values fixed per (spec, step), so a captured graph of a chain
 * stays valid.
 */
abstract class LangevinDynamics implements Sampler {
    private final EnergyModel model;
    private final SamplerSpec spec;
    private final Buf dScores;
    private final Buf dx;

    /** @param dScores scratch (capacity, outputs), owned by the caller (the training step shares it) */
    LangevinDynamics(EnergyModel model, Buf dScores, SamplerSpec spec) {
        if (spec.steps() < 0) {
            throw new IllegalArgumentException("a chain needs >= 0 steps, got " + spec.steps());
        }
        this.model = model;
        this.spec = spec;
        this.dScores = dScores;
        this.dx = model.backend().alloc((long) model.capacity() * model.inputs());
    }

    /** Step size of step t of the chain (0 <= t < steps). */
    abstract float alpha(int t);

    /** Noise of step t of the chain. */
    abstract float sigma(int t);

    @Override
    public EnergyModel model() {
        return model;
    }

    @Override
    public SamplerSpec spec() {
        return spec;
    }

    @Override
    public void refine(Buf x, int rows, Buf classGrad, long seed, IntBuf counters) {
        refinePartlyConditional(x, rows, classGrad == null ? 0 : rows, classGrad, seed, counters);
    }

    @Override
    public void refinePartlyConditional(Buf x, int rows, int conditionalRows, Buf classGrad, long seed,
                                        IntBuf counters) {
        if (conditionalRows < 0 || conditionalRows > rows || (conditionalRows > 0) != (classGrad != null)) {
            throw new IllegalArgumentException("conditional rows " + conditionalRows + " of " + rows
                    + (classGrad == null ? " without" : " with") + " a class gradient");
        }
        Backend b = model.backend();
        int classes = model.outputs();
        int imageRows = rows - conditionalRows;
        long n = (long) rows * model.inputs();
        if (imageRows > 0 && conditionalRows > 0) {
            // dE/dscores of the class-conditional rows is constant (the chain's sign * onehot(y)), and
            // each step's energyGrad writes only the rows above them: so it is copied once, not per step
            long c = (long) conditionalRows * classes;
            b.copy(dScores.slice((long) imageRows * classes, c), classGrad, c);
        }
        Buf grad = imageRows > 0 ? dScores : classGrad;
        for (int t = 0; t < spec.steps(); t++) {
            Buf scores = model.forward(x, rows); // also keeps the activations the backward pass needs
            if (imageRows > 0) {
                b.energyGrad(dScores, null, scores, imageRows, classes, spec.energySign());
            }
            model.backward(grad, rows, x, false, dx);
            b.langevinUpdate(x, dx, n, alpha(t), sigma(t), spec.gradClip(), seed, counters, STEP_STREAM + t);
            if (clampsAfter(t)) {
                b.clamp(x, n, -1f, 1f);
            }
        }
        b.clamp(x, n, -1f, 1f);
    }

    /** Whether step t is followed by a clamp inside the chain (the chain's end always clamps, below). */
    private boolean clampsAfter(int t) {
        int every = spec.clampEvery();
        return every > 0 && (t + 1) % every == 0 && t + 1 < spec.steps();
    }

    @Override
    public void close() {
        dx.close();
    }
}
