package ebm4j.config;

import static ebm4j.config.ValueType.anyLong;
import static ebm4j.config.ValueType.choice;
import static ebm4j.config.ValueType.floatIn;
import static ebm4j.config.ValueType.intIn;
import static ebm4j.config.ValueType.intList;
import static ebm4j.config.ValueType.logFile;
import static ebm4j.config.ValueType.text;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every hyperparameter of a training run, in the order of help, logs and properties files. The
 * defaults are the recommended recipe (README, "Measured"); the {@code seed} preset holds the
 * original project's values. To add one: a constant here (added to {@link #ALL}) and its accessor
 * in {@link TrainConfig}; the command line, validation, properties, help and README table follow.
 */
public final class Hyperparameters {
    private Hyperparameters() {}

    // ---- the run --------------------------------------------------------------------------------
    public static final Hyperparameter<Integer> EPOCHS = Hyperparameter.of("epochs", "N", intIn(1, 100_000), "15",
            "passes over the training set").appliesOnResume();
    public static final Hyperparameter<Integer> BATCH_SIZE = Hyperparameter.of("batch_size", "N",
            intIn(1, 65_536), "64", "real images per batch (the sampler draws as many negatives)");
    public static final Hyperparameter<String> DATASET = Hyperparameter.of("dataset", "NAME|DIR",
            text("mnist, fashion-mnist, or a folder of IDX files"), "mnist",
            "mnist, fashion-mnist, or a folder holding train-/t10k- images and labels as IDX files (raw or gzip)");
    public static final Hyperparameter<Integer> TRAIN_SUBSET = Hyperparameter.of("train_subset", "N",
            intIn(0, 100_000_000), "0", "train on the first N training images only (0 = all)");
    public static final Hyperparameter<Long> SEED = Hyperparameter.of("seed", "N", anyLong(), "0",
            "seeds initialisation, shuffling and all noise");
    public static final Hyperparameter<String> LOG_FILE = Hyperparameter.of("log_file", "FILE",
            logFile("a file name or a path; its name must not be one the run folder uses itself"), "ebm_training.log",
            "the log: a file name inside the run folder, or a path (written there, and the run folder keeps a copy"
                    + " under its name)");
    public static final Hyperparameter<Integer> FIGURE_EVERY = Hyperparameter.of("figure_every", "N",
            intIn(1, 100_000), "5", "write a sample grid every N epochs").appliesOnResume();

    // ---- the model and its loss ------------------------------------------------------------------
    public static final Hyperparameter<String> MODEL = Hyperparameter.of("model", "NAME",
            text("a registered model name"), "mlp",
            "the network: mlp (EnergyNet: dense layers of hidden_dims), or cnn (5x5 stride-2 convolutions with the"
                    + " channels of hidden_dims but the last, then a dense layer of the last width)");
    public static final Hyperparameter<List<Integer>> HIDDEN_DIMS = Hyperparameter.of("hidden_dims",
            List.of("--hidden"), "W,W,W", intList(1, 65_536, 16), "512,512,512", "hidden layer widths");
    public static final Hyperparameter<TrainConfig.EnergySign> ENERGY_SIGN = Hyperparameter.of("energy_sign",
            "reference|jem", choice(TrainConfig.EnergySign.class), "jem",
            "reference (E = LSE(s), the original) or jem (E = -LSE(s))");
    public static final Hyperparameter<TrainConfig.Objective> OBJECTIVE = Hyperparameter.of("objective",
            "joint|classifier", choice(TrainConfig.Objective.class), "joint",
            "joint, or classifier (cross-entropy only: the independent judge for eval --judge)");
    public static final Hyperparameter<Float> GEN_WEIGHT = Hyperparameter.of("gen_weight", "W",
            floatIn(0, 1e6f, false), "0.15", "weight of the contrastive term mean E_real - mean E_sample");
    public static final Hyperparameter<Float> ENERGY_L2 = Hyperparameter.of("energy_l2", "W",
            floatIn(0, 1e6f, false), "0.03", "weight of the energy penalty mean E_real^2 + mean E_sample^2");
    public static final Hyperparameter<Float> DATA_NOISE = Hyperparameter.of("data_noise", "S",
            floatIn(0, 10f, false), "0.03", "std of Gaussian noise added to real images (0 = off)");
    public static final Hyperparameter<Integer> AUGMENT_SHIFT = Hyperparameter.of("augment_shift", "PX",
            intIn(0, 8), "2", "translate each real image by up to PX pixels in x and y, drawn per image and batch"
                    + " (0 = off)");
    public static final Hyperparameter<TrainConfig.AugmentTarget> AUGMENT_TARGET = Hyperparameter.of(
            "augment_target", "all|classifier|classifier_projected|classifier_negative",
            choice(TrainConfig.AugmentTarget.class),
            "classifier_projected",
            "with augment_shift: all (every loss term sees the translated images instead of the real ones),"
                    + " classifier (the cross-entropy sees the translated images as well, the energy terms only the"
                    + " real ones; passes of 3 instead of 2 batches), classifier_projected (as classifier, but"
                    + " the translated images' cross-entropy gradient loses its part that would change their"
                    + " energy), or classifier_negative (as classifier_projected, and the translated images are"
                    + " negatives of the energy like the samples: gen_weight pushes their energy up, energy_l2"
                    + " holds it)");

    // ---- the sampler -----------------------------------------------------------------------------
    public static final Hyperparameter<String> SAMPLER = Hyperparameter.of("sampler", "NAME",
            text("a registered sampler name"), "langevin",
            "langevin, or annealed (step size and noise fall geometrically to sampler_alpha_end and"
                    + " sampler_sigma_end over the chain; the last step adds no noise)");
    public static final Hyperparameter<Integer> LANGEVIN_STEPS = Hyperparameter.of("langevin_steps", "N",
            intIn(0, 100_000), "20", "Langevin steps per batch");
    public static final Hyperparameter<Float> LANGEVIN_ALPHA = Hyperparameter.of("langevin_alpha", "A",
            floatIn(0, 1e6f, false), "3", "Langevin step size alpha (the first step's, when annealed)");
    public static final Hyperparameter<Float> LANGEVIN_SIGMA = Hyperparameter.of("langevin_sigma", "S",
            floatIn(0, 1e6f, false), "0.01", "Langevin noise sigma (the first step's, when annealed)");
    public static final Hyperparameter<Float> SAMPLER_ALPHA_END = Hyperparameter.of("sampler_alpha_end", "A",
            floatIn(0, 1e6f, true), "1", "annealed sampler: the last step's size");
    public static final Hyperparameter<Float> SAMPLER_SIGMA_END = Hyperparameter.of("sampler_sigma_end", "S",
            floatIn(0, 1e6f, true), "0.001", "annealed sampler: the noise of the last noisy step");
    public static final Hyperparameter<Float> LANGEVIN_GRAD_CLIP = Hyperparameter.of("langevin_grad_clip", "C",
            floatIn(0, 1e9f, false), "0", "clip each Langevin gradient element to [-C, C] (0 = off)");
    public static final Hyperparameter<Integer> REPLAY_SIZE = Hyperparameter.of("replay_size", "N",
            intIn(0, 1_000_000), "10000",
            "persistent chains: a pool of N samples that chains start from and return to, saved in checkpoints"
                    + " (0 = every chain starts from uniform noise, the original)");
    public static final Hyperparameter<Float> REPLAY_REINIT = Hyperparameter.of("replay_reinit", "P",
            floatIn(0, 1, false), "0.05", "probability that a persistent chain restarts from noise");
    public static final Hyperparameter<Float> REPLAY_REINIT_FINAL = Hyperparameter.of("replay_reinit_final", "P",
            floatIn(0, 1, false), "0.05",
            "replay_reinit in the run's last epoch (when not given, replay_reinit's value): a higher one leaves"
                    + " younger chains in the pool the run saves, which sample and eval start from").appliesOnResume();
    public static final Hyperparameter<Integer> NOISE_CHAINS = Hyperparameter.of("noise_chains", "N",
            intIn(0, 65_535), "0",
            "rows of each batch's negatives taken from short-lived class-conditional chains that start from uniform"
                    + " noise (class = row mod classes) instead of from the pool: they train the path a chain from"
                    + " noise takes (0 = off; a multiple of the classes, below batch_size)");
    public static final Hyperparameter<Integer> NOISE_CHAIN_LIFE = Hyperparameter.of("noise_chain_life", "STEPS",
            intIn(1, 1_000_000), "200",
            "Langevin steps a noise_chains chain lives before it restarts from noise (a multiple of langevin_steps)");

    // ---- the optimiser ---------------------------------------------------------------------------
    public static final Hyperparameter<Float> LR = Hyperparameter.of("lr", "LR", floatIn(0, 10f, true), "0.001",
            "Adam learning rate").appliesOnResume();
    public static final Hyperparameter<TrainConfig.LrSchedule> LR_SCHEDULE = Hyperparameter.of("lr_schedule",
            "constant|linear", choice(TrainConfig.LrSchedule.class), "linear",
            "constant, or linear: the rate falls linearly over the run's N batches to lr/N");
    public static final Hyperparameter<Integer> WARMUP_STEPS = Hyperparameter.of("warmup_steps", "N",
            intIn(0, 100_000_000), "0", "linear learning-rate warm-up, in batches (0 = off)");
    public static final Hyperparameter<Float> ADAM_BETA1 = Hyperparameter.of("adam_beta1", "B",
            floatIn(0, 0.999999f, false), "0.9", "Adam beta1");
    public static final Hyperparameter<Float> ADAM_BETA2 = Hyperparameter.of("adam_beta2", "B",
            floatIn(0, 0.99999994f, false), "0.999", "Adam beta2");

    /** All of them, in order. */
    public static final List<Hyperparameter<?>> ALL = List.of(EPOCHS, BATCH_SIZE, DATASET, TRAIN_SUBSET, SEED,
            LOG_FILE, FIGURE_EVERY, MODEL, HIDDEN_DIMS, ENERGY_SIGN, OBJECTIVE, GEN_WEIGHT, ENERGY_L2, DATA_NOISE, AUGMENT_SHIFT,
            AUGMENT_TARGET,
            SAMPLER, LANGEVIN_STEPS, LANGEVIN_ALPHA, LANGEVIN_SIGMA, SAMPLER_ALPHA_END, SAMPLER_SIGMA_END,
            LANGEVIN_GRAD_CLIP, REPLAY_SIZE, REPLAY_REINIT, REPLAY_REINIT_FINAL, NOISE_CHAINS, NOISE_CHAIN_LIFE, LR,
            LR_SCHEDULE, WARMUP_STEPS, ADAM_BETA1, ADAM_BETA2);

    private static final Map<String, Hyperparameter<?>> BY_KEY = ALL.stream()
            .collect(Collectors.toUnmodifiableMap(Hyperparameter::key, Function.identity()));

    /** The parameter with this properties key, or null. */
    public static Hyperparameter<?> byKey(String key) {
        return BY_KEY.get(key);
    }
}
