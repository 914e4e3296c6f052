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

    /**
     * The chain a trained model's samples take by default: the training chain, except that a chain
     * from uniform noise of a model trained with {@code noise_chains} runs as long as those chains
     * lived ({@code noise_chain_life}), the one length at which the model was taught to turn noise
     * into digits.
     */
    public static SamplerSpec forStart(TrainConfig c, boolean fromNoise) {
        SamplerSpec s = of(c);
        return fromNoise && c.noiseChains() > 0 ? s.with(s.kind(), c.noiseChainLife(), s.alpha(), s.sigma()) : s;
    }

    /** The same chain with another sampler and step count (e.g. a user's override at sampling time). */
    public SamplerSpec with(String newKind, int newSteps, float newAlpha, float newSigma) {
        return new SamplerSpec(newKind, newSteps, newAlpha, newSigma, alphaEnd, sigmaEnd, gradClip, energySign);
    }
}
