package ebm4j.sample;

import ebm4j.UserException;
import ebm4j.compute.Buf;
import ebm4j.model.EnergyModel;
import java.util.List;
import java.util.Map;

/**
 * The registered samplers, by the name the {@code sampler} hyperparameter uses. Adding a sampler
 * means one class (implementing {@link Sampler}) and one line here; {@code SamplerContractTest}
 * then runs the contract on it.
 */
public final class Samplers {
    private Samplers() {}

    /** Builds a sampler over a model, with a dScores scratch buffer the caller owns. */
    @FunctionalInterface
    public interface Factory {
        Sampler create(EnergyModel model, Buf dScores, SamplerSpec spec);
    }

    private static final Map<String, Factory> FACTORIES = Map.of(
            LangevinSampler.NAME, LangevinSampler::new,
            AnnealedLangevinSampler.NAME, AnnealedLangevinSampler::new);

    /** The registered names, sorted. */
    public static List<String> names() {
        return FACTORIES.keySet().stream().sorted().toList();
    }

    /** @throws UserException naming the registered samplers when the spec's kind is not one */
    public static Sampler create(EnergyModel model, Buf dScores, SamplerSpec spec) {
        return factory(spec.kind()).create(model, dScores, spec);
    }

    /** Checks that a sampler name is registered. */
    public static Factory factory(String name) {
        Factory f = FACTORIES.get(name);
        if (f == null) {
            throw new UserException("unknown sampler '" + name + "'; registered samplers: " + String.join(", ", names()));
        }
        return f;
    }
}
