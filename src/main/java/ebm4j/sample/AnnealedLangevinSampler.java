package ebm4j.sample;

import ebm4j.compute.Buf;
import ebm4j.model.EnergyModel;

/**
 * Langevin dynamics on a schedule ({@code sampler=annealed}): the step size falls from
 * {@code alpha} to {@code alphaEnd} and the noise from {@code sigma} to {@code sigmaEnd}, each
 * geometrically over the chain (linearly when an end is 0 or the start is 0), and the last step
 * adds no noise. Large early steps move a chain from noise towards the data; small late steps
 * sharpen it; the noise-free last step removes the speckle that the noise leaves on strokes.
 * With one step, that step has size {@code alpha} and no noise.
 */
public final class AnnealedLangevinSampler extends LangevinDynamics {
    public static final String NAME = "annealed";

    private final float[] alphas;
    private final float[] sigmas;

    public AnnealedLangevinSampler(EnergyModel model, Buf dScores, SamplerSpec spec) {
        super(model, dScores, spec);
        int n = spec.steps();
        alphas = new float[n];
        sigmas = new float[n];
        for (int t = 0; t < n; t++) {
            double f = n == 1 ? 0 : (double) t / (n - 1);
            alphas[t] = interpolate(spec.alpha(), spec.alphaEnd(), f);
            // the noise reaches its end value at the last noisy step, t = n - 2
            double g = n <= 2 ? 0 : (double) t / (n - 2);
            sigmas[t] = t == n - 1 ? 0f : interpolate(spec.sigma(), spec.sigmaEnd(), g);
        }
    }

    /** from * (to/from)^f, or the straight line when either end is 0; computed in double, rounded once. */
    static float interpolate(float from, float to, double f) {
        if (from > 0 && to > 0) {
            return (float) (from * Math.pow((double) to / from, f));
        }
        return (float) (from + (to - (double) from) * f);
    }

    @Override
    float alpha(int t) {
        return alphas[t];
    }

    @Override
    float sigma(int t) {
        return sigmas[t];
    }
}
