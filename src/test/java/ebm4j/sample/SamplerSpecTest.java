package ebm4j.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals(20, SamplerSpec.forStart(without, true).steps(), "no noise chains: the training chain");
    }
}
