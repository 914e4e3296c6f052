package ebm4j.sample;

import ebm4j.compute.Buf;
import ebm4j.model.EnergyModel;

/**
 * The original sampler ({@code sampler=langevin}): every step has size {@code alpha} and noise
 * {@code sigma}. From uniform noise x_0 ~ U(-1, 1) (or a persistent-chain pool row).
 */
public final class LangevinSampler extends LangevinDynamics {
    public static final String NAME = "langevin";

    public LangevinSampler(EnergyModel model, Buf dScores, SamplerSpec spec) {
        super(model, dScores, spec);
    }

    @Override
    float alpha(int t) {
        return spec().alpha();
    }

    @Override
    float sigma(int t) {
        return spec().sigma();
    }
}
