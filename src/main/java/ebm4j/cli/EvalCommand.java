package ebm4j.cli;

import ebm4j.UserException;
import ebm4j.compute.Backend;
import ebm4j.data.Dataset;
import ebm4j.data.FashionMnist;
import ebm4j.eval.Auroc;
import ebm4j.eval.Classification;
import ebm4j.eval.Scoring;
import ebm4j.model.Checkpoint;
import ebm4j.model.EnergyNet;
import ebm4j.report.Chart;
import ebm4j.report.ImageGrid;
import ebm4j.Json;
import ebm4j.train.LangevinSampler;
import ebm4j.train.RunReport;
import ebm4j.train.SampleGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ebm4j eval}: classifier quality (accuracy, cross-entropy, calibration), energies of test
 * images and of fresh samples, out-of-distribution detection, and optionally sample fidelity as
 * judged by an independent classifier checkpoint.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        header = "Evaluate a checkpoint.",
        description = {"Reports test accuracy, cross-entropy, ECE (15 bins), mean energy of test images and of",
                "fresh samples, OOD AUROC of MNIST test against Fashion-MNIST test and against uniform noise",
                "(scored by -energy and by max-softmax), and with --judge the fraction of class-conditional",
                "samples that an independent classifier assigns to the requested class."})
public final class EvalCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ModelOptions model;

    @Option(names = "--data-dir", defaultValue = "data/mnist", paramLabel = "DIR",
            description = "MNIST folder (default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--ood-dir", paramLabel = "DIR",
            description = "Fashion-MNIST folder (default /usr/share/datasets/fashion-mnist; skipped if absent).")
    Path oodDir;

    @Option(names = "--samples", defaultValue = "200", paramLabel = "N",
            description = "Fresh samples for energies and the judge (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--judge", paramLabel = "CKPT", description = "Classifier checkpoint that judges samples.")
    Path judge;

    @Option(names = "--out", paramLabel = "DIR", description = "Write eval.json and energy_histogram.png here.")
    Path out;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "Use the first N test images (0 = all).")
    int limit;

    @Override
    public Integer call() throws Exception {
        if (samples < 10 || samples > 100_000 || limit < 0) {
            throw new UserException("--samples must be in [10, 100000] and --limit >= 0");
        }
        Checkpoint.Loaded ck = Checkpoint.load(model.checkpoint);
        Checkpoint.Loaded judgeCk = judge == null ? null : Checkpoint.load(judge);
        Dataset test = Dataset.load(dataDir, "t10k");
        if (limit > 0) {
            test = test.subset(Math.min(limit, test.count()));
        }
        Dataset ood = loadOod();
        float sign = ck.config().energySign().sign();
        LangevinSampler.Chain chain = model.chain(ck.config());
        float[] pool = model.startPool(ck);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("checkpoint", ck.dir().toString());
        Map<String, double[]> energyHistograms = new LinkedHashMap<>();
        float[] fresh;
        float[] conditional;

        try (Backend backend = Backends.open(common, System.err::println);
             EnergyNet net = new EnergyNet(backend, ck.layout(), 256)) {
            backend.upload(net.params(), ck.params());
            result.put("device", backend.describe());
            int classes = ck.layout().outputs();
            float[] testScores = Scoring.scores(net, test.images(), test.count());
            Classification c = Classification.of(testScores, test.labels(), test.count(), classes, sign);
            result.put("test_images", c.count());
            result.put("test_accuracy", c.accuracy());
            result.put("test_cross_entropy", c.crossEntropy());
            result.put("test_ece", c.ece());
            result.put("test_mean_energy", c.meanEnergy());
            double[] testEnergy = Scoring.energies(testScores, classes, sign);
            energyHistograms.put("MNIST test", testEnergy);

            fresh = SampleGenerator.generate(net, chain, model.seed, samples, null, pool);
            float[] freshScores = Scoring.scores(net, fresh, samples);
            double[] sampleEnergy = Scoring.energies(freshScores, classes, sign);
            result.put("samples", samples);
            result.put("sample_mean_energy", mean(sampleEnergy));
            energyHistograms.put("samples", sampleEnergy);

            float[] noise = new float[test.count() * Dataset.PIXELS];
            ebm4j.compute.Philox.uniforms(model.seed, 0, 0x4f4f44, 0, noise, noise.length, -1f, 1f);
            float[] noiseScores = Scoring.scores(net, noise, test.count());
            double[] noiseEnergy = Scoring.energies(noiseScores, classes, sign);
            energyHistograms.put("uniform noise", noiseEnergy);
            ood(result, "uniform", testScores, testEnergy, noiseScores, noiseEnergy, classes);
            if (ood != null) {
                float[] oodScores = Scoring.scores(net, ood.images(), ood.count());
                double[] oodEnergy = Scoring.energies(oodScores, classes, sign);
                energyHistograms.put("Fashion-MNIST", oodEnergy);
                ood(result, "fashion", testScores, testEnergy, oodScores, oodEnergy, classes);
            }
            int[] wanted = new int[samples];
            for (int i = 0; i < samples; i++) {
                wanted[i] = i % 10;
            }
            // class-conditional chains feed the judge and the grid; skip them when neither is asked for
            conditional = judgeCk == null && out == null ? null
                    : SampleGenerator.generate(net, chain, model.seed + 1, samples, wanted, pool);
            if (judgeCk != null) {
                judge(result, backend, judgeCk, wanted, conditional, fresh);
            }
        }
        print(result);
        if (out != null) {
            Files.createDirectories(out);
            Files.writeString(out.resolve("eval.json"), Json.write(result) + "\n", StandardCharsets.UTF_8);
            List<Chart.Samples> series = new ArrayList<>();
            energyHistograms.forEach((name, e) -> series.add(new Chart.Samples(name, e)));
            Chart.histograms(out.resolve("energy_histogram.png"), "Energies", "E(x)", series, 60);
            ImageGrid.write(out.resolve(RunReport.EVAL_SAMPLES), fresh, Math.min(samples, 64), 8);
            // row r of the conditional samples asked for digit r % 10: ten columns put one digit per column
            ImageGrid.write(out.resolve(RunReport.EVAL_CONDITIONAL), conditional, Math.min(samples, 100) / 10 * 10,
                    10);
            System.out.println("wrote eval.json, energy_histogram.png, " + RunReport.EVAL_SAMPLES + " and "
                    + RunReport.EVAL_CONDITIONAL + " to " + out);
            Path run = out.toAbsolutePath().getParent();
            boolean inRunFolder = run != null && Files.exists(run.resolve("report.html"))
                    && Files.exists(run.resolve("metrics.jsonl"));
            if (inRunFolder) {
                RunReport.rewrite(run, ck.config());
                System.out.println("updated " + run.resolve("report.html") + " with the evaluation");
            }
        }
        return 0;
    }

    private Dataset loadOod() {
        if (oodDir != null) {
            return FashionMnist.test(oodDir);
        }
        Path fallback = FashionMnist.DEFAULT_DIR;
        if (!Files.isDirectory(fallback)) {
            System.err.println("Fashion-MNIST not found at " + fallback + " (apt-get install dataset-fashion-mnist):"
                    + " skipping that OOD test");
            return null;
        }
        return FashionMnist.test(fallback);
    }

    /** AUROC of MNIST test (positive) against an OOD set, by -energy and by max-softmax. */
    private static void ood(Map<String, Object> result, String name, float[] inScores, double[] inEnergy,
                            float[] outScores, double[] outEnergy, int classes) {
        result.put("auroc_" + name + "_energy", Auroc.of(negate(inEnergy), negate(outEnergy)));
        result.put("auroc_" + name + "_max_softmax",
                Auroc.of(maxSoftmax(inScores, classes), maxSoftmax(outScores, classes)));
    }

    /** The judge's verdict on class-conditional samples (row r asked for wanted[r]) and on fresh ones. */
    private void judge(Map<String, Object> result, Backend backend, Checkpoint.Loaded judgeCk, int[] wanted,
                       float[] conditional, float[] unconditional) {
        try (EnergyNet judgeNet = new EnergyNet(backend, judgeCk.layout(), 256)) {
            backend.upload(judgeNet.params(), judgeCk.params());
            int classes = judgeCk.layout().outputs();
            float[] s = Scoring.scores(judgeNet, conditional, samples);
            int hits = 0;
            for (int r = 0; r < samples; r++) {
                hits += Scoring.argmax(s, r, classes) == wanted[r] ? 1 : 0;
            }
            result.put("judge", judgeCk.dir().toString());
            result.put("judge_conditional_accuracy", (double) hits / samples);
            float[] u = Scoring.scores(judgeNet, unconditional, samples);
            result.put("judge_unconditional_confidence", mean(maxSoftmax(u, classes)));
        }
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

    private static void print(Map<String, Object> result) {
        result.forEach((k, v) -> System.out.println(String.format(Locale.ROOT, "%-34s %s", k,
                v instanceof Double d ? String.format(Locale.ROOT, "%.5f", d) : v)));
    }
}
