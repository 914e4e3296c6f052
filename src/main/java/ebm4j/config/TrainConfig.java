package ebm4j.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every hyperparameter of a training run, validated (see {@link ConfigLoader}). Keys in
 * properties files are the original project's flag names ({@code batch_size}, ...).
 *
 * @param epochs           passes over the training set
 * @param batchSize        real images per batch (the sampler draws as many negatives)
 * @param langevinSteps    Langevin steps per negative batch
 * @param langevinAlpha    step size on the energy gradient
 * @param langevinSigma    standard deviation of the injected Gaussian noise
 * @param lr               Adam learning rate
 * @param logFile          log file name inside the run folder
 * @param hiddenDims       hidden layer widths of EnergyNet
 * @param figureEvery      write a sample grid every N epochs
 * @param seed             seeds initialisation, shuffling and all Philox streams
 * @param trainSubset      train on the first N training images only (0 = all)
 * @param energySign       REFERENCE (E = LSE) or JEM (E = -LSE)
 * @param objective        JOINT (classifier + energy model) or CLASSIFIER (cross-entropy only)
 * @param energyL2         weight of the energy-magnitude penalty (0 = off)
 * @param langevinGradClip per-element clip of the Langevin gradient (0 = off)
 * @param dataNoise        std of Gaussian noise added to real images (0 = off)
 * @param warmupSteps      linear learning-rate warm-up length in batches (0 = off)
 * @param adamBeta1        Adam beta1
 * @param adamBeta2        Adam beta2
 * @param replaySize       rows of the persistent-chain pool (0 = chains start from noise)
 * @param replayReinit     probability that a chain restarts from noise
 * @param genWeight        weight of the contrastive energy term (1 = the original loss)
 * @param lrSchedule       CONSTANT, or LINEAR decay over the run's batches (times any warm-up)
 */
public record TrainConfig(
        int epochs,
        int batchSize,
        int langevinSteps,
        float langevinAlpha,
        float langevinSigma,
        float lr,
        String logFile,
        List<Integer> hiddenDims,
        int figureEvery,
        long seed,
        int trainSubset,
        EnergySign energySign,
        Objective objective,
        float energyL2,
        float langevinGradClip,
        float dataNoise,
        int warmupSteps,
        float adamBeta1,
        float adamBeta2,
        int replaySize,
        float replayReinit,
        float genWeight,
        LrSchedule lrSchedule) {

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

    public TrainConfig {
        hiddenDims = List.copyOf(hiddenDims);
    }

    /** The values as properties-file keys and strings, in a stable order (for logs and checkpoints). */
    public Map<String, String> toProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("epochs", Integer.toString(epochs));
        p.put("batch_size", Integer.toString(batchSize));
        p.put("langevin_steps", Integer.toString(langevinSteps));
        p.put("langevin_alpha", Float.toString(langevinAlpha));
        p.put("langevin_sigma", Float.toString(langevinSigma));
        p.put("lr", Float.toString(lr));
        p.put("log_file", logFile);
        p.put("hidden_dims", hiddenDims.stream().map(String::valueOf)
                .reduce((a, b) -> a + "," + b).orElse(""));
        p.put("figure_every", Integer.toString(figureEvery));
        p.put("seed", Long.toString(seed));
        p.put("train_subset", Integer.toString(trainSubset));
        p.put("energy_sign", energySign.name().toLowerCase());
        p.put("objective", objective.name().toLowerCase());
        p.put("energy_l2", Float.toString(energyL2));
        p.put("langevin_grad_clip", Float.toString(langevinGradClip));
        p.put("data_noise", Float.toString(dataNoise));
        p.put("warmup_steps", Integer.toString(warmupSteps));
        p.put("adam_beta1", Float.toString(adamBeta1));
        p.put("adam_beta2", Float.toString(adamBeta2));
        p.put("replay_size", Integer.toString(replaySize));
        p.put("replay_reinit", Float.toString(replayReinit));
        p.put("gen_weight", Float.toString(genWeight));
        p.put("lr_schedule", lrSchedule.name().toLowerCase());
        return p;
    }
}
