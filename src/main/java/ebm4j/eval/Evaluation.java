package ebm4j.eval;

import ebm4j.compute.Backend;
import ebm4j.compute.Philox;
import ebm4j.data.Dataset;
import ebm4j.data.Shuffle;
import ebm4j.model.Checkpoint;
import ebm4j.model.EnergyModel;
import ebm4j.model.Models;
import ebm4j.model.Scoring;
import ebm4j.sample.SampleGenerator;
import ebm4j.sample.StartPool;
import ebm4j.sample.SamplerSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evaluation of a trained model: classifier quality on the test set (accuracy,
 * cross-entropy, ECE), the energies of test images and of fresh samples, out-of-distribution
 * detection (AUROC of the test set against uniform noise and an OOD data set, scored by -energy and
 * by max-softmax), and sample fidelity as judged by independent classifiers: each judge's accuracy
 * on class-conditional samples, its confidence on unconditional ones, and the Fréchet distance of
 * unconditional samples to test images in its feature space beside that of training images
 * ({@link FrechetFigures}).
 */
public final class Evaluation {
    /** The members of {@link Result#figures()} (eval.json), which the run report reads back. */
    public static final String CHECKPOINT = "checkpoint", DEVICE = "device", SAMPLING = "sampling",
            TEST_IMAGES = "test_images",
            TEST_ACCURACY = "test_accuracy", TEST_CROSS_ENTROPY = "test_cross_entropy", TEST_ECE = "test_ece",
            TEST_MEAN_ENERGY = "test_mean_energy", SAMPLES = "samples", SAMPLE_MEAN_ENERGY = "sample_mean_energy",
            JUDGES = "judges", CONDITIONAL_ACCURACY = "conditional_accuracy",
            UNCONDITIONAL_CONFIDENCE = "unconditional_confidence",
            CONDITIONAL_WORST_CLASS = "conditional_worst_class_accuracy",
            CONDITIONAL_PER_CLASS = "conditional_accuracy_per_class",
            UNCONDITIONAL_CONFIDENT = "unconditional_confident_fraction",
            UNCONDITIONAL_CLASS_COUNTS = "unconditional_class_counts",
            UNCONDITIONAL_MAX_DEVIATION = "unconditional_class_max_deviation", FD = "fd",
            CONDITIONAL_ACCURACY_INTERVAL = "conditional_accuracy_interval",
            CONDITIONAL_WORST_CLASS_INTERVAL = "conditional_worst_class_interval",
            UNCONDITIONAL_CONFIDENT_INTERVAL = "unconditional_confident_interval",
            UNCONDITIONAL_MAX_DEVIATION_BY_CHANCE = "unconditional_class_max_deviation_by_chance",
            TEST_CONFIDENT = "test_confident_fraction", JUDGE_TEST_ACCURACY = "test_accuracy";
    /** The OOD key of uniform noise; data sets use {@link ebm4j.data.DataSource#key()}. */
    public static final String UNIFORM = "uniform";
    /** AUROC members are {@code auroc_<ood key>_energy} and {@code auroc_<ood key>_max_softmax}. */
    public static final String AUROC_PREFIX = "auroc_", BY_ENERGY = "_energy", BY_MAX_SOFTMAX = "_max_softmax";

    /** Rows per model pass. */
    private static final int CAPACITY = 256;
    /** Philox stream of the uniform-noise OOD images. */
    private static final int NOISE_STREAM = 0x4f4f44;
    /** {@link Shuffle} streams (its epoch argument) of the random test and training images of the Fréchet distances. */
    private static final int FD_TEST_ROWS = -0x46440001, FD_TRAIN_ROWS = -0x46440002;
    /** Sampling seed offset of the Fréchet distance's samples (the seed itself and seed + 1 draw the others). */
    private static final int FD_SAMPLE_SEED = 2;

    /**
     * What to evaluate on and how to sample.
     *
     * @param test     the test split (its classes must be the model's)
     * @param testLabel its name in the energy histogram (e.g. {@code MNIST test})
     * @param ood      an out-of-distribution set, or null
     * @param oodLabel its name in the energy histogram (e.g. {@code Fashion-MNIST})
     * @param oodKey   its short name in result keys (e.g. {@code fashion})
     * @param judges   classifier checkpoints that judge the samples (may be empty)
     * @param samples  fresh samples to draw (unconditional, and as many class-conditional)
     * @param chain    the sampler settings
     * @param seed     the sampling seed
     * @param pool     start images for the chains (a persistent-chain pool), or null for uniform noise
     * @param conditionalAlways draw class-conditional samples even without judges (for the grid)
     * @param fdTrain  the training split, the floor of the Fréchet distances (null when fdSizes is empty)
     * @param fdSizes  the numbers of images N at which each judge measures the Fréchet distance (may be
     *                 empty; each at most the test and training set sizes)
     */
    public record Inputs(Dataset test, String testLabel, Dataset ood, String oodLabel, String oodKey, List<Checkpoint.Loaded> judges, int samples,
                         SamplerSpec chain, long seed, StartPool pool, boolean conditionalAlways, Dataset fdTrain,
                         List<Integer> fdSizes) {
        public Inputs {
            fdSizes = List.copyOf(fdSizes);
            if (!fdSizes.isEmpty() && fdTrain == null) {
                throw new IllegalArgumentException("Fréchet distances need the training split");
            }
        }

        /** Without Fréchet distances. */
        public Inputs(Dataset test, String testLabel, Dataset ood, String oodLabel, String oodKey,
                      List<Checkpoint.Loaded> judges, int samples, SamplerSpec chain, long seed, StartPool pool,
                      boolean conditionalAlways) {
            this(test, testLabel, ood, oodLabel, oodKey, judges, samples, chain, seed, pool, conditionalAlways, null,
                    List.of());
        }
    }

    /**
     * The figures (in a stable order, as eval.json holds them), the samples drawn, and the energies
     * of each set for the histogram.
     *
     * @param conditional class-conditional samples, row r of class r % classes; null when not drawn
     */
    public record Result(Map<String, Object> figures, float[] samples, float[] conditional,
                         Map<String, double[]> energies) {}

    private Evaluation() {}

    /**
     * @throws ebm4j.UserException before anything is computed when the test set or the OOD set
     *                             has no images (accuracy, ECE and AUROC need at least one)
     */
    public static Result run(Backend backend, Checkpoint.Loaded model, Inputs in) {
        if (in.test().count() == 0) {
            throw new ebm4j.UserException("the test set (" + in.test().name() + ") has no images: nothing to evaluate");
        }
        if (in.ood() != null && in.ood().count() == 0) {
            throw new ebm4j.UserException("the OOD set " + in.oodLabel() + " (" + in.ood().name() + ") has no images;"
                    + " pass --ood none or another set");
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        Map<String, double[]> energies = new LinkedHashMap<>();
        figures.put(CHECKPOINT, model.dir().toString());
        figures.put(DEVICE, backend.describe());
        figures.put(SAMPLING, sampling(in));
        float sign = model.config().energySign().sign();
        int classes = model.spec().classes();
        try (EnergyModel net = Models.create(backend, model.spec(), CAPACITY)) {
            backend.upload(net.params(), model.params());
            Dataset test = in.test();
            float[] testScores = Scoring.scores(net, test.images(), test.count());
            Classification c = Classification.of(testScores, test.labels(), test.count(), classes, sign);
            figures.put(TEST_IMAGES, c.count());
            figures.put(TEST_ACCURACY, c.accuracy());
            figures.put(TEST_CROSS_ENTROPY, c.crossEntropy());
            figures.put(TEST_ECE, c.ece());
            figures.put(TEST_MEAN_ENERGY, c.meanEnergy());
            double[] testEnergy = Scoring.energies(testScores, classes, sign);
            energies.put(in.testLabel(), testEnergy);

            float[] fresh = SampleGenerator.generate(net, in.chain(), in.seed(), in.samples(), null, in.pool());
            double[] sampleEnergy = Scoring.energies(Scoring.scores(net, fresh, in.samples()), classes, sign);
            figures.put(SAMPLES, in.samples());
            figures.put(SAMPLE_MEAN_ENERGY, mean(sampleEnergy));
            energies.put("samples", sampleEnergy);

            float[] noise = new float[test.count() * net.inputs()];
            Philox.uniforms(in.seed(), 0, NOISE_STREAM, 0, noise, noise.length, -1f, 1f);
            float[] noiseScores = Scoring.scores(net, noise, test.count());
            double[] noiseEnergy = Scoring.energies(noiseScores, classes, sign);
            energies.put("uniform noise", noiseEnergy);
            ood(figures, UNIFORM, testScores, testEnergy, noiseScores, noiseEnergy, classes);
            if (in.ood() != null) {
                float[] oodScores = Scoring.scores(net, in.ood().images(), in.ood().count());
                double[] oodEnergy = Scoring.energies(oodScores, classes, sign);
                energies.put(in.oodLabel(), oodEnergy);
                ood(figures, in.oodKey(), testScores, testEnergy, oodScores, oodEnergy, classes);
            }

            int[] wanted = new int[in.samples()];
            for (int i = 0; i < wanted.length; i++) {
                wanted[i] = i % classes;
            }
            boolean conditionalNeeded = in.conditionalAlways() || !in.judges().isEmpty();
            float[] conditional = conditionalNeeded
                    ? SampleGenerator.generate(net, in.chain(), in.seed() + 1, in.samples(), wanted, in.pool()) : null;
            FrechetFigures.Sets fdSets = in.judges().isEmpty() || in.fdSizes().isEmpty() ? null : frechetSets(net, in);
            List<Map<String, Object>> verdicts = new ArrayList<>();
            double chanceDeviation = in.judges().isEmpty() ? Double.NaN
                    : SamplingError.chanceMaxDeviation(in.samples(), classes);
            for (Checkpoint.Loaded judge : in.judges()) {
                verdicts.add(judge(backend, judge, wanted, conditional, fresh, chanceDeviation, in.test(), fdSets));
            }
            if (!verdicts.isEmpty()) {
                figures.put(JUDGES, verdicts);
            }
            return new Result(figures, fresh, conditional, energies);
        }
    }

    /** AUROC of the test set (positive) against an OOD set, by -energy and by max-softmax. */
    private static void ood(Map<String, Object> figures, String key, float[] inScores, double[] inEnergy,
                            float[] outScores, double[] outEnergy, int classes) {
        figures.put(AUROC_PREFIX + key + BY_ENERGY, Auroc.of(negate(inEnergy), negate(outEnergy)));
        figures.put(AUROC_PREFIX + key + BY_MAX_SOFTMAX,
                Auroc.of(maxSoftmax(inScores, classes), maxSoftmax(outScores, classes)));
    }

    /** A judge's confidence at or above which an unconditional sample counts as recognised. */
    public static final double CONFIDENT = 0.9;

    /**
     * One judge's verdict. On class-conditional samples (row r asked for wanted[r]): the fraction
     * it assigns to the requested class, overall and per class (and the worst class). On
     * unconditional samples: its mean confidence, the fraction it classifies with confidence at
     * least {@value #CONFIDENT} (noise and blobs fall below), and how the samples spread over the
     * classes it sees (counts, and the largest relative deviation from uniform: mode coverage).
     * Each proportion comes with its 95 % interval, and the deviation with what a uniform sampler's
     * reaches by chance, {@code chanceDeviation} ({@link SamplingError}). On the real test images:
     * the judge's accuracy and its confident share, the ceiling of the samples' (a sampler that
     * drew real digits would reach it, not 1). With {@code fdSets}, also its Fréchet distances
     * ({@link FrechetFigures}).
     */
    private static Map<String, Object> judge(Backend backend, Checkpoint.Loaded judge, int[] wanted,
                                             float[] conditional, float[] unconditional, double chanceDeviation,
                                             Dataset test, FrechetFigures.Sets fdSets) {
        Map<String, Object> v = new LinkedHashMap<>();
        try (EnergyModel net = Models.create(backend, judge.spec(), CAPACITY)) {
            backend.upload(net.params(), judge.params());
            int classes = judge.spec().classes();
            float[] s = Scoring.scores(net, conditional, wanted.length);
            int[] asked = new int[classes], hits = new int[classes];
            for (int r = 0; r < wanted.length; r++) {
                asked[wanted[r]]++;
                hits[wanted[r]] += Scoring.argmax(s, r, classes) == wanted[r] ? 1 : 0;
            }
            double[] perClass = new double[classes];
            int worst = -1;
            int total = 0;
            for (int k = 0; k < classes; k++) {
                perClass[k] = asked[k] == 0 ? Double.NaN : (double) hits[k] / asked[k];
                if (asked[k] > 0 && (worst < 0 || perClass[k] < perClass[worst])) {
                    worst = k; // the first of the worst: wanted has at least one row, so some class was asked
                }
                total += hits[k];
            }
            v.put(CHECKPOINT, judge.dir().toString());
            v.put(CONDITIONAL_ACCURACY, (double) total / wanted.length);
            v.put(CONDITIONAL_ACCURACY_INTERVAL, SamplingError.wilson(total, wanted.length));
            v.put(CONDITIONAL_WORST_CLASS, perClass[worst]);
            v.put(CONDITIONAL_WORST_CLASS_INTERVAL, SamplingError.wilson(hits[worst], asked[worst]));
            v.put(CONDITIONAL_PER_CLASS, perClass);

            int n = unconditional.length / net.inputs();
            float[] u = Scoring.scores(net, unconditional, n);
            double[] confidence = maxSoftmax(u, classes);
            int confident = 0;
            int[] histogram = new int[classes];
            for (int r = 0; r < n; r++) {
                confident += confidence[r] >= CONFIDENT ? 1 : 0;
                histogram[Scoring.argmax(u, r, classes)]++;
            }
            v.put(UNCONDITIONAL_CONFIDENCE, mean(confidence));
            v.put(UNCONDITIONAL_CONFIDENT, (double) confident / n);
            v.put(UNCONDITIONAL_CONFIDENT_INTERVAL, SamplingError.wilson(confident, n));
            v.put(UNCONDITIONAL_CLASS_COUNTS, histogram);
            v.put(UNCONDITIONAL_MAX_DEVIATION, SamplingError.maxDeviation(histogram, n));
            v.put(UNCONDITIONAL_MAX_DEVIATION_BY_CHANCE, chanceDeviation);
            onRealDigits(v, net, test, classes);
            if (fdSets != null) {
                v.put(FD, FrechetFigures.of(net, fdSets));
            }
        }
        return v;
    }

    /** A judge's accuracy and confident share on the real test images: what its sample figures are read against. */
    private static void onRealDigits(Map<String, Object> verdict, EnergyModel judge, Dataset test, int classes) {
        float[] scores = Scoring.scores(judge, test.images(), test.count());
        int right = 0, sure = 0;
        for (int r = 0; r < test.count(); r++) {
            right += Scoring.argmax(scores, r, classes) == test.labels()[r] ? 1 : 0;
            sure += Scoring.maxSoftmax(scores, r, classes) >= CONFIDENT ? 1 : 0;
        }
        verdict.put(JUDGE_TEST_ACCURACY, (double) right / test.count());
        verdict.put(TEST_CONFIDENT, (double) sure / test.count());
    }

    /**
     * How the samples were drawn, in words, so that eval.json and the report say which settings
     * their sample figures belong to (the start temperature alone moves a judge's figures by
     * several points): e.g. "langevin, 20 steps of alpha 3.0 and sigma 0.01, seed 0, from the
     * persistent-chain pool (rows chosen at temperature 0.35)".
     */
    static String sampling(Inputs in) {
        SamplerSpec c = in.chain();
        String start = in.pool() == null ? "from uniform noise in [-1, " + c.startMax() + "]"
                : "from the persistent-chain pool (rows chosen at temperature " + in.pool().temperature() + ")";
        String clamp = switch (c.clampEvery()) {
            case 0 -> "clamped to [-1, 1] at the end";
            case 1 -> "clamped to [-1, 1] after every step";
            default -> "clamped to [-1, 1] every " + c.clampEvery() + " steps";
        };
        return c.kind() + ", " + c.steps() + " steps of alpha " + c.alpha() + " and sigma " + c.sigma() + ", " + clamp
                + ", seed " + in.seed() + ", " + start;
    }

    /**
     * The images the Fréchet distances compare: as many fresh unconditional samples as the largest N
     * (drawn as the other samples, from the pool or noise), and that many test and training images
     * in a seeded random order, so that the first N rows of each are random subsets.
     */
    private static FrechetFigures.Sets frechetSets(EnergyModel net, Inputs in) {
        int n = in.fdSizes().stream().mapToInt(Integer::intValue).max().orElseThrow();
        float[] samples = SampleGenerator.generate(net, in.chain(), in.seed() + FD_SAMPLE_SEED, n, null, in.pool());
        return new FrechetFigures.Sets(samples, randomRows(in.fdTrain(), n, in.seed(), FD_TRAIN_ROWS),
                randomRows(in.test(), n, in.seed(), FD_TEST_ROWS), net.inputs(), in.fdSizes());
    }

    /** n images of a data set, chosen without replacement in a seeded random order. */
    private static float[] randomRows(Dataset d, int n, long seed, int stream) {
        if (n > d.count()) {
            throw new IllegalArgumentException(d.count() + " images cannot give " + n);
        }
        int[] order = Shuffle.permutation(d.count(), seed, stream);
        int pixels = d.pixels();
        float[] out = new float[Math.multiplyExact(n, pixels)];
        for (int r = 0; r < n; r++) {
            System.arraycopy(d.images(), order[r] * pixels, out, r * pixels, pixels);
        }
        return out;
    }

    private static double[] maxSoftmax(float[] scores, int classes) {
        double[] m = new double[scores.length / classes];
        for (int r = 0; r < m.length; r++) {
            m[r] = Scoring.maxSoftmax(scores, r, classes);
        }
        return m;
    }

    private static double[] negate(double[] a) {
        double[] b = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = -a[i];
        }
        return b;
    }

    private static double mean(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s / a.length;
    }
}
