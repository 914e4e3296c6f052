package ebm4j.config;

import static ebm4j.config.Hyperparameters.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every hyperparameter of a training run, validated: one value per {@link Hyperparameter} of
 * {@link Hyperparameters#ALL}, built by {@link ConfigLoader}. The typed accessors below are
 * conveniences over {@link #get}; what each value means is in its descriptor.
 */
public final class TrainConfig {

    public enum EnergySign {
        REFERENCE(1f), JEM(-1f);

        private final float sign;

        EnergySign(float sign) {
            this.sign = sign;
        }

        /** +1 when E = LSE(s), -1 when E = -LSE(s). */
        public float sign() {
            return sign;
        }
    }

    public enum Objective { JOINT, CLASSIFIER }

    /** CONSTANT keeps lr; LINEAR scales it by (D - t + 1) / D at batch t of the run's D batches. */
    public enum LrSchedule { CONSTANT, LINEAR }

    /** Which loss terms see the translated images of {@code augment_shift}. */
    public enum AugmentTarget {
        ALL, CLASSIFIER, CLASSIFIER_PROJECTED, CLASSIFIER_NEGATIVE;

        /** Whether the translated copy's cross-entropy leaves its energy alone (see HybridLossSpec). */
        public boolean energyNeutral() {
            return this == CLASSIFIER_PROJECTED || this == CLASSIFIER_NEGATIVE;
        }

        /**
         * Whether the translated copy is also a negative of the energy: MNIST digits are centred by
         * their centre of mass, so a translated digit lies off the data, and the contrastive term
         * pushes its energy up as it does a sample's. A row drawn with no shift (one in
         * (2 augment_shift + 1)^2) is then pushed both ways: the real batch's term lowers it.
         */
        public boolean translatedAreNegatives() {
            return this == CLASSIFIER_NEGATIVE;
        }
    }

    private final Map<Hyperparameter<?>, Object> values;

    /** @param values a valid value for every parameter of {@link Hyperparameters#ALL} */
    TrainConfig(Map<Hyperparameter<?>, Object> values) {
        Map<Hyperparameter<?>, Object> ordered = new LinkedHashMap<>();
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            ordered.put(h, Objects.requireNonNull(values.get(h), h.key()));
        }
        this.values = ordered;
    }

    /** The value of one parameter. */
    @SuppressWarnings("unchecked")
    public <T> T get(Hyperparameter<T> h) {
        return (T) values.get(h);
    }

    /** The values as properties-file keys and strings, in {@link Hyperparameters#ALL} order (logs, checkpoints). */
    public Map<String, String> toProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        values.forEach((h, v) -> p.put(h.key(), h.format(v)));
        return p;
    }

    public int epochs() {
        return get(EPOCHS);
    }

    public int batchSize() {
        return get(BATCH_SIZE);
    }

    public String dataset() {
        return get(DATASET);
    }

    public int trainSubset() {
        return get(TRAIN_SUBSET);
    }

    public long seed() {
        return get(SEED);
    }

    public String logFile() {
        return get(LOG_FILE);
    }

    public int figureEvery() {
        return get(FIGURE_EVERY);
    }

    public String model() {
        return get(MODEL);
    }

    public List<Integer> hiddenDims() {
        return get(HIDDEN_DIMS);
    }

    public EnergySign energySign() {
        return get(ENERGY_SIGN);
    }

    public Objective objective() {
        return get(OBJECTIVE);
    }

    public float genWeight() {
        return get(GEN_WEIGHT);
    }

    public float energyL2() {
        return get(ENERGY_L2);
    }

    public float dataNoise() {
        return get(DATA_NOISE);
    }

    public int augmentShift() {
        return get(AUGMENT_SHIFT);
    }

    public AugmentTarget augmentTarget() {
        return get(AUGMENT_TARGET);
    }

    /**
     * Whether a training pass carries a translated copy of the real batch beside it (augment_shift
     * with any augment_target but all): then a pass is 3 batches
     * (translated, real, sampled), else 2.
     */
    public boolean augmentsClassifierOnly() {
        return augmentShift() > 0 && augmentTarget() != AugmentTarget.ALL;
    }

    /** Batches in one training pass: 2 (real, sampled), or 3 with a translated copy of the real one. */
    public int passBatches() {
        return augmentsClassifierOnly() ? 3 : 2;
    }

    public String sampler() {
        return get(SAMPLER);
    }

    public int langevinSteps() {
        return get(LANGEVIN_STEPS);
    }

    public float langevinAlpha() {
        return get(LANGEVIN_ALPHA);
    }

    public float langevinSigma() {
        return get(LANGEVIN_SIGMA);
    }

    public float samplerAlphaEnd() {
        return get(SAMPLER_ALPHA_END);
    }

    public float samplerSigmaEnd() {
        return get(SAMPLER_SIGMA_END);
    }

    public float langevinGradClip() {
        return get(LANGEVIN_GRAD_CLIP);
    }

    public int replaySize() {
        return get(REPLAY_SIZE);
    }

    public float replayReinit() {
        return get(REPLAY_REINIT);
    }

    public float replayReinitFinal() {
        return get(REPLAY_REINIT_FINAL);
    }

    public int noiseChains() {
        return get(NOISE_CHAINS);
    }

    public int noiseChainLife() {
        return get(NOISE_CHAIN_LIFE);
    }

    /**
     * Rows of the short-lived pool of {@code noise_chains}: its chains per step times the training
     * steps a chain lives (0 without noise_chains).
     */
    public int noiseChainPoolRows() {
        return noiseChains() == 0 || langevinSteps() == 0 ? 0 : noiseChains() * (noiseChainLife() / langevinSteps());
    }

    public float lr() {
        return get(LR);
    }

    public LrSchedule lrSchedule() {
        return get(LR_SCHEDULE);
    }

    public int warmupSteps() {
        return get(WARMUP_STEPS);
    }

    public float adamBeta1() {
        return get(ADAM_BETA1);
    }

    public float adamBeta2() {
        return get(ADAM_BETA2);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainConfig c && c.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "TrainConfig" + toProperties();
    }
}
