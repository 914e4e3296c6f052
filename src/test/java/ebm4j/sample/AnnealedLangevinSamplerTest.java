package ebm4j.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.cpu.CpuBackend;
import ebm4j.model.EnergyModel;
import ebm4j.model.EnergyNet;
import ebm4j.model.TestSpecs;
import org.junit.jupiter.api.Test;

/** The annealed schedule: geometric from the start to the end values, and no noise on the last step. */
class AnnealedLangevinSamplerTest {
    private static AnnealedLangevinSampler sampler(Backend b, EnergyModel m, Buf d, int steps, float a0, float a1,
                                                   float s0, float s1) {
        return new AnnealedLangevinSampler(m, d, new SamplerSpec("annealed", steps, a0, s0, a1, s1, 0f, -1f, 0, 1f));
    }

    @Test
    void stepSizeAndNoiseFallGeometricallyAndTheLastStepIsNoiseFree() {
        try (Backend b = new CpuBackend(); EnergyModel m = new EnergyNet(b, TestSpecs.mlp(4, 3, 2), 1);
             Buf d = m.newScoresBuffer();
             AnnealedLangevinSampler s = sampler(b, m, d, 5, 8f, 0.5f, 0.1f, 0.001f)) {
            float[] alphas = {8f, 4f, 2f, 1f, 0.5f};
            float[] sigmas = {0.1f, (float) (0.1 * Math.pow(0.01, 1 / 3.0)), (float) (0.1 * Math.pow(0.01, 2 / 3.0)),
                0.001f, 0f};
            for (int t = 0; t < 5; t++) {
                assertEquals(alphas[t], s.alpha(t), 1e-6f * alphas[t], "alpha " + t);
                assertEquals(sigmas[t], s.sigma(t), 1e-6f * sigmas[t], "sigma " + t);
            }
        }
    }

    @Test
    void aZeroEndIsReachedOnAStraightLineAndOneStepHasNoNoise() {
        try (Backend b = new CpuBackend(); EnergyModel m = new EnergyNet(b, TestSpecs.mlp(4, 3, 2), 1);
             Buf d = m.newScoresBuffer()) {
            assertEquals(0.5f, AnnealedLangevinSampler.interpolate(1f, 0f, 0.5), 0f);
            try (AnnealedLangevinSampler one = sampler(b, m, d, 1, 3f, 1f, 0.1f, 0.01f)) {
                assertEquals(3f, one.alpha(0));
                assertEquals(0f, one.sigma(0));
            }
        }
    }
}
