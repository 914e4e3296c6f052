package ebm4j.sample;

import ebm4j.config.TrainConfig;

/**
 * The settings of one sampling chain: which registered sampler ({@link Samplers}), how many steps,
 * the step size and noise (of the first step, for schedules), where a schedule ends, the
 * per-element gradient clip (0 = off) and the energy's sign (+1: E = LSE(s), -1: E = -LSE(s)).
 */
public record SamplerSpec(String kind, int steps, float alpha, float sigma, float alphaEnd, float sigmaEnd,
                          float gradClip, float energySign) {

    /** The chain a training config describes. */
    public static SamplerSpec of(TrainConfig c) {
        return new SamplerSpec(c.sampler(), c.langevinSteps(), c.langevinAlpha(), c.langevinSigma(),
                c.samplerAlphaEnd(), c.samplerSigmaEnd(), c.langevinGradClip(), c.energySign().sign());
    }

    /** The same chain with another sampler and step count (e.g. a user's override at sampling time). */
    public SamplerSpec with(String newKind, int newSteps, float newAlpha, float newSigma) {
        return new SamplerSpec(newKind, newSteps, newAlpha, newSigma, alphaEnd, sigmaEnd, gradClip, energySign);
    }
}
