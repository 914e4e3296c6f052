package ebm4j.train;

import ebm4j.compute.AdamSpec;
import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.HybridLossSpec;
import ebm4j.compute.IntBuf;
import ebm4j.compute.LossStats;
import ebm4j.compute.PhaseTimer;
import ebm4j.config.TrainConfig;
import ebm4j.data.ImageShape;
import ebm4j.model.EnergyModel;
import ebm4j.sample.Sampler;
import ebm4j.sample.SamplerSpec;
import ebm4j.sample.Samplers;

/**
 * One training step of the joint model, queued on the backend with no host synchronisation:
 * gather a batch from the device-resident training set, draw as many Langevin negatives, run
 * one forward and one backward pass over the stacked (2B, 784) batch [real; sampled] (or the
 * (3B, 784) batch [translated; real; sampled] when only the classifier is augmented), take an
 * Adam step, and advance the counters. What changes from step to step is read from the counters
 * in device memory, so the CUDA backend replays one captured graph per batch size, until a buffer
 * or a host value in it changes (a new epoch's pool indexes, a rollback's learning rate): then it
 * captures anew (see {@link Backend#repeatable}).
 */
public final class TrainStep implements AutoCloseable {
    /** Phase names in timing reports. */
    public static final String DATA = "data", SAMPLING = "langevin", FORWARD_BACKWARD = "forward_backward",
            OPTIMIZER = "optimizer";

    private final Backend backend;
    /** Philox stream of the noise added to real images ({@code data_noise}). */
    static final int DATA_NOISE_STREAM = 2;
    /** Philox stream of the random translations of real images ({@code augment_shift}). */
    static final int AUGMENT_STREAM = 6;
    /** The value of pixels shifted in from outside the image: black (pixels are in [-1, 1]). */
    static final float BACKGROUND = -1f;

    private final EnergyModel net;
    private final TrainConfig config;
    private final Sampler sampler;
    /** [translated; real; sampled] with classifier-only augmentation, else [real; sampled]. */
    private final Buf stacked;
    /** The gathered batch before its translation, or null without augmentation of every term. */
    private final Buf unshifted;
    private final Buf dScores;
    private final IntBuf labels;
    private final Buf adamM;
    private final Buf adamV;
    private final IntBuf counters;
    private final Buf stats;
    private final HybridLossSpec loss;
    /** The loss of the translated copy beside the real batch: see {@link #classifierLoss(TrainConfig)}. */
    private final HybridLossSpec classifierLoss;
    /**
     * Where the translated copy's loss sums go (the loss kernel adds to its stats), or null: the
     * reported figures are the real batch's, as without augmentation.
     */
    private final Buf classifierStats;
    private final AdamSpec adam;
    private final PhaseTimer timer;
    private final ChainPools chains;

    /** A step with chains from uniform noise and a constant learning rate (benchmarks, tests). */
    public TrainStep(EnergyModel net, TrainConfig config, IntBuf counters, Buf stats) {
        this(net, config, counters, stats, null, 0);
    }

    /**
     * @param chains   persistent chains, or null for chains from uniform noise (the original)
     * @param runSteps batches in the whole run: the horizon of {@code lr_schedule=linear}
     *                 (0 keeps the learning rate constant whatever the schedule)
     */
    public TrainStep(EnergyModel net, TrainConfig config, IntBuf counters, Buf stats, ChainPools chains,
                     long runSteps) {
        this.backend = net.backend();
        this.net = net;
        this.config = config;
        this.counters = counters;
        this.stats = stats;
        int batch = config.batchSize();
        int inputs = net.inputs();
        if (net.capacity() < config.passBatches() * batch) {
            throw new IllegalArgumentException("the model has room for " + net.capacity() + " rows, a training pass needs "
                    + config.passBatches() * batch);
        }
        stacked = backend.alloc((long) config.passBatches() * batch * inputs);
        unshifted = config.augmentShift() > 0 && !config.augmentsClassifierOnly()
                ? backend.alloc((long) batch * inputs) : null;
        dScores = net.newScoresBuffer();
        labels = backend.allocInt(batch);
        adamM = backend.alloc(net.parameterCount());
        adamV = backend.alloc(net.parameterCount());
        sampler = Samplers.create(net, dScores, SamplerSpec.of(config));
        boolean joint = config.objective() == TrainConfig.Objective.JOINT;
        loss = new HybridLossSpec(config.energySign().sign(), joint ? config.genWeight() : 0f,
                joint ? config.energyL2() : 0f);
        classifierLoss = classifierLoss(config);
        classifierStats = config.augmentsClassifierOnly() ? backend.alloc(LossStats.SIZE) : null;
        long decaySteps = config.lrSchedule() == TrainConfig.LrSchedule.LINEAR ? runSteps : 0;
        adam = new AdamSpec(config.lr(), config.adamBeta1(), config.adamBeta2(), 1e-8f, config.warmupSteps(),
                decaySteps);
        timer = backend.timer();
        this.chains = chains;
    }

    /**
     * The translated copy's loss: the cross-entropy alone, or with {@code classifier_negative} also
     * the contrastive and penalty terms of a sample. The loss kernel gives its labelled rows the
     * energy factor {@code gen + 2 l2 E}; a negative weight makes that a sample's
     * {@code -gen + 2 l2 E}, so the translated rows' energy is pushed up, and held, as a sample's is.
     */
    private static HybridLossSpec classifierLoss(TrainConfig config) {
        TrainConfig.AugmentTarget target = config.augmentTarget();
        boolean negatives = target.translatedAreNegatives() && config.objective() == TrainConfig.Objective.JOINT;
        return new HybridLossSpec(config.energySign().sign(), negatives ? -config.genWeight() : 0f,
                negatives ? config.energyL2() : 0f, target.energyNeutral());
    }

    public Buf adamM() {
        return adamM;
    }

    public Buf adamV() {
        return adamV;
    }

    public PhaseTimer timer() {
        return timer;
    }

    /** The negatives of the last step, (rows, inputs). */
    public Buf lastSamples(int rows) {
        long n = (long) rows * net.inputs();
        return stacked.slice((config.passBatches() - 1) * n, n);
    }

    /** The translated copy of the last step's real batch, (rows, inputs); only when the pass carries one. */
    Buf lastTranslated(int rows) {
        if (!config.augmentsClassifierOnly()) {
            throw new IllegalStateException("no translated copy without augment_shift and a classifier target");
        }
        return stacked.slice(0, (long) rows * net.inputs());
    }

    /**
     * Queues one step on a batch of {@code rows} real images taken at the permutation cursor.
     *
     * @param table    training images (n, inputs) on the backend
     * @param tableY   training labels (n)
     * @param perm     this epoch's permutation of [0, n)
     */
    public void enqueue(int rows, Buf table, IntBuf tableY, IntBuf perm) {
        backend.repeatable("train-step-" + rows, () -> body(rows, table, tableY, perm));
    }

    private void body(int rows, Buf table, IntBuf tableY, IntBuf perm) {
        int inputs = net.inputs();
        long n = (long) rows * inputs;
        int batches = config.passBatches();
        // with classifier-only augmentation the translated copy comes first: [translated; real; sampled]
        Buf translated = batches == 3 ? stacked.slice(0, n) : null;
        Buf real = stacked.slice((batches - 2) * n, n);
        Buf negatives = stacked.slice((batches - 1) * n, n);
        long seed = config.seed();

        timer.begin(DATA);
        ImageShape shape = net.spec().input();
        if (unshifted != null) {
            backend.gatherRows(unshifted, labels, table, tableY, perm, counters, rows, inputs);
            backend.shiftImages(real, unshifted, rows, shape.height(), shape.width(), shape.channels(),
                    config.augmentShift(), BACKGROUND, seed, counters, AUGMENT_STREAM);
        } else {
            backend.gatherRows(real, labels, table, tableY, perm, counters, rows, inputs);
            if (translated != null) {
                backend.shiftImages(translated, real, rows, shape.height(), shape.width(), shape.channels(),
                        config.augmentShift(), BACKGROUND, seed, counters, AUGMENT_STREAM);
            }
        }
        if (chains != null) {
            chains.start(negatives, rows, counters); // reads the same cursor as the batch
        }
        backend.increment(counters, Counters.CURSOR, rows);
        if (config.dataNoise() > 0) {
            // the real images and their translated copy (when there is one) are contiguous
            backend.addNoise(stacked, (batches - 1) * n, config.dataNoise(), seed, counters, DATA_NOISE_STREAM);
        }
        timer.end(DATA);

        timer.begin(SAMPLING);
        if (config.objective() == TrainConfig.Objective.JOINT && chains != null) {
            sampler.refinePartlyConditional(negatives, rows, chains.conditionalRows(rows), chains.classGrad(rows), seed,
                    counters);
            chains.keep(negatives, rows);
        } else if (config.objective() == TrainConfig.Objective.JOINT) {
            sampler.sample(negatives, rows, null, seed, counters);
        } else {
            // A plain classifier ignores the sampled half (its loss weights are zero); fill it
            // cheaply so the stacked pass stays one code path.
            backend.uniformFill(negatives, n, -1f, 1f, seed, counters, Sampler.INIT_STREAM);
        }
        timer.end(SAMPLING);

        timer.begin(FORWARD_BACKWARD);
        Buf scores = net.forward(stacked, batches * rows);
        int classes = net.outputs();
        if (batches == 3) {
            // [translated; real] as a classifier: cross-entropy on the translated rows, zero on the
            // real ones, which the joint loss over [real; sampled] then overwrites
            long s = (long) rows * classes;
            backend.hybridLossGrad(dScores.slice(0, 2 * s), classifierStats, scores.slice(0, 2 * s), labels, rows,
                    classes, classifierLoss);
            backend.hybridLossGrad(dScores.slice(s, 2 * s), stats, scores.slice(s, 2 * s), labels, rows, classes,
                    loss);
        } else {
            backend.hybridLossGrad(dScores, stats, scores, labels, rows, classes, loss);
        }
        net.backward(dScores, batches * rows, stacked, true, null);
        timer.end(FORWARD_BACKWARD);

        timer.begin(OPTIMIZER);
        backend.adamStep(net.params(), net.grads(), adamM, adamV, net.parameterCount(), counters, adam);
        backend.increment(counters, Counters.ADAM_T, 1);
        backend.increment(counters, Counters.STEP_LO, 1);
        timer.end(OPTIMIZER);
    }

    /** FLOPs of one step on {@code rows} real images (2 per multiply-add; elementwise work ignored). */
    public static double flopsPerStep(EnergyModel net, TrainConfig config, int rows) {
        double sampling = config.objective() == TrainConfig.Objective.JOINT
                ? (double) config.langevinSteps() * rows * langevinMacsPerRow(net) : 0;
        // the stacked (2B or 3B) pass: forward, weight gradients, data gradients except to x
        double training = (double) config.passBatches() * rows
                * (net.forwardMacsPerRow() + net.backwardMacsPerRow(true, false));
        return 2 * (sampling + training);
    }

    public static double flopsPerLangevinStep(EnergyModel net, int rows) {
        return 2.0 * rows * langevinMacsPerRow(net);
    }

    /** One Langevin step: a forward pass and a backward pass to the input. */
    private static double langevinMacsPerRow(EnergyModel net) {
        return net.forwardMacsPerRow() + net.backwardMacsPerRow(false, true);
    }

    @Override
    public void close() {
        sampler.close();
        stacked.close();
        if (unshifted != null) {
            unshifted.close();
        }
        if (classifierStats != null) {
            classifierStats.close();
        }
        dScores.close();
        labels.close();
        adamM.close();
        adamV.close();
    }
}
