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
import ebm4j.model.EnergyModel;
import ebm4j.model.ModelSpec;
import ebm4j.model.Models;
import ebm4j.sample.Sampler;
import ebm4j.sample.SamplerSpec;
import ebm4j.sample.Samplers;
import ebm4j.train.ResidentData;
import ebm4j.train.TrainStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Times the workloads of one backend: full training steps (the Langevin chain, forward/backward
 * and Adam, exactly as {@code train} queues them), sampling-only chains, forward-only energies,
 * and the forward GEMM alone as the ceiling the other figures are measured against. Each timing
 * waits for the backend to finish, so GPU figures are device time plus launch overhead.
 */
public final class Benchmark {
    private static final int INFERENCE_IMAGES = 10_000;
    private static final int INFERENCE_BATCH = 1000;
    /** The reference's workload: MNIST-shaped images in 10 classes. */
    private static final ImageShape SHAPE = ImageShape.MNIST;
    private static final int CLASSES = 10;
    private static final int PIXELS = SHAPE.pixels();

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
        int batch = config.batchSize();
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
        try (EnergyModel net = Models.create(backend, spec, 2 * batch);
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

            try (Buf dScores = net.newScoresBuffer(); Buf x = backend.alloc((long) batch * PIXELS);
                 Sampler sampler = Samplers.create(net, dScores, SamplerSpec.of(config))) {
                double[] sampling = time(() -> () -> sampler.sample(x, batch, null, config.seed(), counters));
                Stat s = Stat.of(sampling);
                m.put("sampling_images_per_s", s.rate(batch));
                if (config.langevinSteps() > 0) {
                    m.put("ms_per_langevin_step", scale(s, 1000.0 / config.langevinSteps()));
                    m.put("langevin_gflops_per_s", s.rate(config.langevinSteps()
                            * TrainStep.flopsPerLangevinStep(net, batch) / 1e9));
                }
            }
            m.put("inference_energies_per_s", inference(spec, net, images, n));
            m.put("gemm_ceiling_gflops_per_s", gemmCeiling(batch, spec.inputs(), spec.hidden().get(0)));
        }
        return new BenchResult(backend.name(), backend.describe(), m);
    }

    /** A timed workload: prepare (untimed) returns the work to time. */
    private interface Workload {
        Runnable prepare();
    }

    private double[] time(Workload w) {
        for (int i = 0; i < warmup; i++) {
            w.prepare().run();
            backend.synchronize();
        }
        double[] seconds = new double[iters];
        for (int i = 0; i < iters; i++) {
            Runnable work = w.prepare();
            backend.synchronize();
            long t0 = System.nanoTime();
            work.run();
            backend.synchronize();
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        return seconds;
    }

    private void resetCursorIfNeeded(IntBuf counters, int n, int batch) {
        int[] c = backend.downloadInt(counters);
        if (c[Counters.CURSOR] + batch > n) {
            c[Counters.CURSOR] = 0;
            backend.uploadInt(counters, 0, c, 0, c.length);
        }
    }

    private Stat inference(ModelSpec spec, EnergyModel trained, float[] images, int n) {
        int count = Math.min(INFERENCE_IMAGES, n);
        try (EnergyModel net = Models.create(backend, spec, INFERENCE_BATCH);
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

    /** GFLOP/s of the first layer's forward GEMM alone at this batch size: what the sampler can at best reach. */
    private Stat gemmCeiling(int batch, int k, int nOut) {
        int reps = 50;
        try (Buf a = backend.alloc((long) batch * k); Buf w = backend.alloc((long) k * nOut);
             Buf c = backend.alloc((long) batch * nOut)) {
            float[] fill = new float[k * nOut];
            Philox.uniforms(1, 0, 0, 0, fill, fill.length, -0.05f, 0.05f);
            backend.upload(w, fill);
            backend.upload(a, 0, fill, 0, batch * k);
            double[] seconds = time(() -> () -> {
                for (int i = 0; i < reps; i++) {
                    backend.gemm(false, true, batch, nOut, k, 1f, a, k, w, k, 0f, c, nOut);
                }
            });
            return Stat.of(seconds).rate(2.0 * batch * nOut * k * reps / 1e9);
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
