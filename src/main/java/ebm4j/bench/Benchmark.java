package ebm4j.bench;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.IntBuf;
import ebm4j.compute.LossStats;
import ebm4j.compute.Philox;
import ebm4j.config.TrainConfig;
import ebm4j.data.Dataset;
import ebm4j.data.ImageShape;
import ebm4j.model.EnergyNet;
import ebm4j.model.ModelSpec;
import ebm4j.sample.Sampler;
import ebm4j.sample.SamplerSpec;
import ebm4j.sample.Samplers;
import ebm4j.train.ResidentData;
import ebm4j.train.TrainStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times the workloads of one backend: full training steps (the Langevin chain, forward/backward
 * and Adam, exactly as {@code train} queues them), sampling-only chains, forward-only energies,
 * and the products of a Langevin step alone ({@link StepGemms}) as the ceiling the sampler is
 * measured against. Sampling chains and ceiling runs alternate, and the share of the ceiling is
 * the median of the pairwise ratios, so that load from other processes on a shared machine hits
 * both sides of each ratio alike. Each timing waits for the backend to finish, so GPU figures
 * are device time plus launch overhead. Optionally ({@link Parts#breakdown}) one more chain runs
 * through {@link OpProfile} to show where a step's time goes.
 */
public final class Benchmark {
    private static final int INFERENCE_IMAGES = 10_000;
    private static final int INFERENCE_BATCH = 1000;
    /** The reference's workload: MNIST-shaped images in 10 classes, through the MLP (model "mlp"). */
    private static final ImageShape SHAPE = ImageShape.MNIST;
    private static final int CLASSES = 10;
    private static final int PIXELS = SHAPE.pixels();
    /** Profiled chains for the per-op breakdown (after one warm-up chain). */
    private static final int PROFILED_CHAINS = 3;

    /** Which optional workloads to run besides training, sampling and the ceiling. */
    public record Parts(boolean inference, boolean breakdown) {
        public static final Parts ALL = new Parts(true, true);
        public static final Parts CORE = new Parts(false, false);
    }

    private final Backend backend;
    private final TrainConfig config;
    private final int warmup;
    private final int iters;
    private final Path dataDir;

    public Benchmark(Backend backend, TrainConfig config, int warmup, int iters, Path dataDir) {
        this.backend = backend;
        this.config = config;
        this.warmup = warmup;
        this.iters = iters;
        this.dataDir = dataDir;
    }

    public BenchResult run() {
        return run(Parts.ALL);
    }

    public BenchResult run(Parts parts) {
        int batch = config.batchSize();
        int steps = config.langevinSteps();
        ModelSpec spec = ModelSpec.of(config, SHAPE, CLASSES);
        float[] images = images();
        int n = images.length / PIXELS;
        int[] labels = new int[n];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % CLASSES; // any labels: the timing does not depend on them
            order[i] = i;
        }
        Map<String, Stat> m = new LinkedHashMap<>();
        List<OpProfile.Entry> breakdown = List.of();
        try (EnergyNet net = new EnergyNet(backend, spec, config.passBatches() * batch);
             IntBuf counters = backend.allocInt(Counters.SIZE);
             Buf stats = backend.alloc(LossStats.SIZE);
             ResidentData data = new ResidentData(backend, Dataset.of("bench", SHAPE, CLASSES, images, labels));
             TrainStep step = new TrainStep(net, config, counters, stats)) {
            net.initialise(config.seed());
            data.setOrder(order);

            double[] train = time(() -> {
                resetCursorIfNeeded(counters, n, batch);
                return () -> data.enqueue(step, batch);
            });
            Stat trainSeconds = Stat.of(train);
            m.put("train_images_per_s", trainSeconds.rate(batch));
            m.put("train_ms_per_batch", scale(trainSeconds, 1000));
            m.put("train_gflops_per_s", trainSeconds.rate(TrainStep.flopsPerStep(net, config, batch) / 1e9));

            SamplerSpec chain = SamplerSpec.of(config);
            if (steps > 0) {
                samplingAgainstCeiling(net, chain, counters, m);
                if (parts.breakdown()) {
                    breakdown = breakdown(net, chain);
                }
            }
            if (parts.inference()) {
                m.put("inference_energies_per_s", inference(spec, net, images, n));
            }
        }
        return new BenchResult(backend.name(), backend.describe(), m, breakdown);
    }

    /**
     * Sampling chains from uniform noise, alternating with the same number of steps' products
     * alone: sampling images/s, ms and GFLOP/s per step, the ceiling's GFLOP/s, and the sampler's
     * share of it in percent (median over the pairs).
     */
    private void samplingAgainstCeiling(EnergyNet net, SamplerSpec chain, IntBuf counters,
                                        Map<String, Stat> m) {
        int batch = config.batchSize();
        int steps = chain.steps();
        try (Buf dScores = net.newScoresBuffer(); Buf x = backend.alloc((long) batch * PIXELS);
             StepGemms gemms = new StepGemms(net, batch);
             Sampler sampler = Samplers.create(net, dScores, chain)) {
            Runnable sample = () -> sampler.sample(x, batch, null, config.seed(), counters);
            Runnable ceiling = () -> gemms.run(steps);
            for (int i = 0; i < warmup; i++) {
                timeOnce(sample);
                timeOnce(ceiling);
            }
            double[] sampling = new double[iters];
            double[] products = new double[iters];
            double[] share = new double[iters];
            for (int i = 0; i < iters; i++) {
                sampling[i] = timeOnce(sample);
                products[i] = timeOnce(ceiling);
                share[i] = 100 * products[i] / sampling[i];
            }
            Stat s = Stat.of(sampling);
            double stepFlops = gemms.flops();
            m.put("sampling_images_per_s", s.rate(batch));
            m.put("ms_per_langevin_step", scale(s, 1000.0 / steps));
            m.put("langevin_gflops_per_s", s.rate(steps * stepFlops / 1e9));
            m.put("gemm_ceiling_gflops_per_s", Stat.of(products).rate(steps * stepFlops / 1e9));
            m.put("langevin_pct_of_ceiling", Stat.of(share));
        }
    }

    /** Per-op time of sampling chains, per Langevin step, in order of first use. */
    private List<OpProfile.Entry> breakdown(EnergyNet trained, SamplerSpec chain) {
        int batch = config.batchSize();
        OpProfile profile = new OpProfile(backend);
        Backend profiled = profile.backend();
        try (EnergyNet net = new EnergyNet(profiled, trained.spec(), batch);
             IntBuf counters = profiled.allocInt(Counters.SIZE);
             Buf dScores = net.newScoresBuffer();
             Buf x = profiled.alloc((long) batch * PIXELS);
             Sampler sampler = Samplers.create(net, dScores, chain)) {
            backend.copy(net.params(), trained.params(), trained.parameterCount());
            sampler.sample(x, batch, null, config.seed(), counters); // warm-up
            profile.reset();
            for (int i = 0; i < PROFILED_CHAINS; i++) {
                sampler.sample(x, batch, null, config.seed(), counters);
            }
            List<OpProfile.Entry> out = new ArrayList<>();
            for (OpProfile.Entry e : profile.entries()) {
                out.add(e.per((double) PROFILED_CHAINS * chain.steps()));
            }
            return out;
        }
    }

    /** A timed workload: prepare (untimed) returns the work to time. */
    private interface Workload {
        Runnable prepare();
    }

    private double[] time(Workload w) {
        for (int i = 0; i < warmup; i++) {
            timeOnce(w.prepare());
        }
        double[] seconds = new double[iters];
        for (int i = 0; i < iters; i++) {
            Runnable work = w.prepare();
            seconds[i] = timeOnce(work);
        }
        return seconds;
    }

    /** Seconds the work takes, queued work before it excluded. */
    private double timeOnce(Runnable work) {
        backend.synchronize();
        long t0 = System.nanoTime();
        work.run();
        backend.synchronize();
        return (System.nanoTime() - t0) / 1e9;
    }

    private void resetCursorIfNeeded(IntBuf counters, int n, int batch) {
        int[] c = backend.downloadInt(counters);
        if (c[Counters.CURSOR] + batch > n) {
            c[Counters.CURSOR] = 0;
            backend.uploadInt(counters, 0, c, 0, c.length);
        }
    }

    private Stat inference(ModelSpec spec, EnergyNet trained, float[] images, int n) {
        int count = Math.min(INFERENCE_IMAGES, n);
        try (EnergyNet net = new EnergyNet(backend, spec, INFERENCE_BATCH);
             Buf x = backend.alloc((long) count * PIXELS);
             Buf dScores = net.newScoresBuffer();
             Buf energy = backend.alloc(INFERENCE_BATCH)) {
            backend.copy(net.params(), trained.params(), net.parameterCount());
            backend.upload(x, 0, images, 0, count * PIXELS);
            double[] seconds = time(() -> () -> {
                for (int start = 0; start < count; start += INFERENCE_BATCH) {
                    int rows = Math.min(INFERENCE_BATCH, count - start);
                    Buf scores = net.forward(x.slice((long) start * PIXELS, (long) rows * PIXELS), rows);
                    backend.energyGrad(dScores, energy, scores, rows, CLASSES, config.energySign().sign());
                }
            });
            return Stat.of(seconds).rate(count);
        }
    }

    private static Stat scale(Stat s, double factor) {
        return new Stat(s.median() * factor, s.min() * factor, s.max() * factor);
    }

    /** Real MNIST images when present (realistic activations), else uniform noise. */
    private float[] images() {
        if (Files.isDirectory(dataDir)) {
            try {
                Dataset d = Dataset.load(dataDir, "t10k");
                return d.images();
            } catch (RuntimeException e) {
                // fall through to synthetic inputs: the figures only need realistic magnitudes
            }
        }
        float[] x = new float[INFERENCE_IMAGES * PIXELS];
        Philox.uniforms(7, 0, 0, 0, x, x.length, -1f, 1f);
        return x;
    }
}
