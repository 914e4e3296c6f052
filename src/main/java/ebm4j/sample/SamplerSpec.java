package ebm4j.sample;

import ebm4j.config.TrainConfig;

/**
 * The settings of one sampling chain: which registered sampler ({@link Samplers}), how many steps,
 * the step size and noise (of the first step, for schedules), where a schedule ends, the
 * per-element gradient clip (0 = off), the energy's sign (+1: E = LSE(s), -1: E = -LSE(s)), the
 * steps between clamps of the images to [-1, 1] ({@code clampEvery}; 0 = only at the chain's end,
 * which always clamps), and the upper end of the uniform noise in [-1, startMax] that a chain
 * from noise starts from.
 */
public record SamplerSpec(String kind, int steps, float alpha, float sigma, float alphaEnd, float sigmaEnd,
                          float gradClip, float energySign, int clampEvery, float startMax) {

    public SamplerSpec {
        if (clampEvery < 0) {
            throw new IllegalArgumentException("clampEvery must be >= 0, got " + clampEvery);
        }
        if (!(startMax > -1f && startMax <= 1f)) {
            throw new IllegalArgumentException("startMax must be in (-1, 1], got " + startMax);
        }
    }

    /**
     * Sampling chains from noise of a model trained with persistent chains start as uniform noise on
     * the darker half of the range, [-1, DARK_START_MAX]. From noise on all of [-1, 1] most pixels
     * must first fall to the black background, and the chains of sparse digits (1s, 7s) stall as
     * noise on the way. Of the ends measured on the default recipe's seeds 0-2 (-0.75, -0.5, -0.25,
     * 0), 0 is the one at which both judges accept at least 0.90 on every seed (README, "Projected
     * chains and dark noise").
     */
    public static final float DARK_START_MAX = 0f;
    /** Steps of a sampling chain from noise of a model trained with persistent chains but no noise_chains. */
    public static final int FROM_NOISE_STEPS = 200;

    /**
     * The chain a training config describes: it starts from noise on all of [-1, 1] (a chain of a
     * run without a pool) and is clamped to [-1, 1] at its end, when it returns to its pool.
     */
    public static SamplerSpec of(TrainConfig c) {
        return new SamplerSpec(c.sampler(), c.langevinSteps(), c.langevinAlpha(), c.langevinSigma(),
                c.samplerAlphaEnd(), c.samplerSigmaEnd(), c.langevinGradClip(), c.energySign().sign(), 0, 1f);
    }

    /**
     * The chain a trained model's samples take by default. A model trained without a pool
     * (replay_size 0) samples as it was trained: its training chain, from noise. A model trained
     * with persistent chains samples with the training chain's step size and noise, clamped to
     * [-1, 1] after every step (projected Langevin: a chain never leaves the images' range, where the
     * model was never trained); from a pool row for langevin_steps steps, like a training step, or
     * from dark noise ({@link #DARK_START_MAX}) for as long as its noise_chains lived
     * ({@code noise_chain_life}), or {@link #FROM_NOISE_STEPS} without them.
     */
    public static SamplerSpec forStart(TrainConfig c, boolean fromNoise) {
        SamplerSpec trained = of(c);
        if (c.replaySize() == 0) {
            return trained;
        }
        SamplerSpec projected = trained.clampedEvery(1);
        if (!fromNoise) {
            return projected;
        }
        int steps = c.noiseChains() > 0 ? c.noiseChainLife() : FROM_NOISE_STEPS;
        return projected.with(trained.kind(), steps, trained.alpha(), trained.sigma()).startingBelow(DARK_START_MAX);
    }

    /** The same chain with another sampler and step count (e.g. a user's override at sampling time). */
    public SamplerSpec with(String newKind, int newSteps, float newAlpha, float newSigma) {
        return new SamplerSpec(newKind, newSteps, newAlpha, newSigma, alphaEnd, sigmaEnd, gradClip, energySign,
                clampEvery, startMax);
    }

    /** The same chain clamped every {@code steps} steps (0 = only at its end). */
    public SamplerSpec clampedEvery(int steps) {
        return new SamplerSpec(kind, this.steps, alpha, sigma, alphaEnd, sigmaEnd, gradClip, energySign, steps,
                startMax);
    }

    /** The same chain starting, from noise, in [-1, max]. */
    public SamplerSpec startingBelow(float max) {
        return new SamplerSpec(kind, steps, alpha, sigma, alphaEnd, sigmaEnd, gradClip, energySign, clampEvery, max);
    }
}
