package ebm4j.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which chain a trained model's samples take by default. */
class SamplerSpecTest {
    @Test
    void aNoiseStartRunsAsLongAsTheNoiseChainsLivedInTraining() {
        TrainConfig withChains = ConfigLoader.load(null, Map.of("noise_chains", "20", "noise_chain_life", "240"));
        assertEquals(240, SamplerSpec.forStart(withChains, true).steps());
        assertEquals(20, SamplerSpec.forStart(withChains, false).steps(), "pool starts keep the training chain");
        assertEquals(SamplerSpec.of(withChains).alpha(), SamplerSpec.forStart(withChains, true).alpha());

        TrainConfig without = ConfigLoader.load(null, Map.of("noise_chain_life", "240"));
        assertEquals(SamplerSpec.FROM_NOISE_STEPS, SamplerSpec.forStart(without, true).steps(),
                "no noise chains: the fixed length");
    }

    @Test
    void aModelTrainedWithPersistentChainsSamplesProjectedChainsAndFromDarkNoise() {
        TrainConfig c = ConfigLoader.load(null, Map.of());
        SamplerSpec training = SamplerSpec.of(c);
        assertEquals(0, training.clampEvery(), "a training chain is clamped at its end only");
        assertEquals(1f, training.startMax(), "and starts from noise on all of [-1, 1]");
        SamplerSpec fromPool = SamplerSpec.forStart(c, false);
        assertEquals(1, fromPool.clampEvery(), "a sampling chain is clamped after every step");
        assertEquals(c.langevinSteps(), fromPool.steps());
        assertEquals(training.alpha(), fromPool.alpha());
        SamplerSpec fromNoise = SamplerSpec.forStart(c, true);
        assertEquals(1, fromNoise.clampEvery());
        assertEquals(SamplerSpec.DARK_START_MAX, fromNoise.startMax());
        assertEquals(SamplerSpec.FROM_NOISE_STEPS, fromNoise.steps());
        assertEquals(1, fromNoise.with("annealed", 90, 1f, 0f).clampEvery(), "an override keeps the rest");
        assertEquals(7, fromNoise.clampedEvery(7).clampEvery());
        assertThrows(IllegalArgumentException.class, () -> fromNoise.clampedEvery(-1));
        assertThrows(IllegalArgumentException.class, () -> fromNoise.startingBelow(-1f));
    }

    @Test
    void aModelTrainedWithoutAPoolSamplesAsItWasTrained() {
        TrainConfig seed = ConfigLoader.load("seed", Map.of());
        assertEquals(0, seed.replaySize());
        assertEquals(SamplerSpec.of(seed), SamplerSpec.forStart(seed, true));
    }
}
