package ebm4j.compute.cuda;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.IntBuf;
import ebm4j.compute.LossStats;
import ebm4j.compute.Parity;
import ebm4j.compute.cpu.CpuBackend;
import ebm4j.compute.cpu.GemmChoice;
import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import ebm4j.data.ImageShape;
import ebm4j.model.EnergyModel;
import ebm4j.model.ModelSpec;
import ebm4j.model.Models;
import ebm4j.train.TrainStep;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The convolutional model with translation augmentation (of every loss term, and of the classifier
 * only: a pass of three batches), trained for three steps (the last two
 * graph replays) on the CPU and on the CUDA backend over the kernel emulator: im2col, col2im and
 * shift_images are exact (no sums reordered), and with one pretend SM every GEMM is the unsplit
 * fmaf chain the CPU's Java GEMM computes, so weights, Adam moments and samples agree bit for bit.
 */
class CudaEmulatedConvNetTest {
    private static final ImageShape SHAPE = new ImageShape(12, 10, 1);

    private static List<float[]> run(Backend b, TrainConfig config, float[] table, int[] labels) {
        int batch = config.batchSize();
        ModelSpec spec = ModelSpec.of(config, SHAPE, 3);
        try (EnergyModel net = Models.create(b, spec, config.passBatches() * batch);
             Buf t = b.alloc(table.length); IntBuf y = b.allocInt(labels.length);
             IntBuf perm = b.allocInt(labels.length); IntBuf counters = b.allocInt(Counters.SIZE);
             Buf stats = b.alloc(LossStats.SIZE);
             TrainStep step = new TrainStep(net, config, counters, stats)) {
            net.initialise(config.seed());
            b.upload(t, table);
            b.uploadInt(y, 0, labels, 0, labels.length);
            int[] p = new int[labels.length];
            for (int i = 0; i < p.length; i++) p[i] = (i * 5) % p.length;
            b.uploadInt(perm, 0, p, 0, p.length);
            for (int s = 0; s < 3; s++) step.enqueue(batch, t, y, perm);
            b.synchronize();
            return List.of(b.download(net.params()), b.download(step.adamM()), b.download(step.lastSamples(batch)),
                    b.download(stats));
        }
    }

    @ParameterizedTest(name = "augment_target={0}")
    @ValueSource(strings = {"all", "classifier", "classifier_projected", "classifier_negative"})
    void threeAugmentedConvNetStepsMatchTheCpuBitForBit(String target) {
        String problem = EmulatedDevice.problem();
        Assumptions.assumeTrue(problem == null, () -> "kernel emulator unavailable: " + problem);
        TrainConfig config = ConfigLoader.load(null, Map.of("model", "cnn", "hidden_dims", "3,4,8", "batch_size", "4",
                "langevin_steps", "2", "augment_shift", "2", "augment_target", target, "replay_size", "0", "energy_l2", "0.1"));
        int rows = 16;
        SplittableRandom r = new SplittableRandom(8);
        float[] table = new float[rows * SHAPE.pixels()];
        for (int i = 0; i < table.length; i++) table[i] = (float) (2 * r.nextDouble() - 1);
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) labels[i] = r.nextInt(3);

        List<float[]> cpu, gpu;
        try (Backend b = new CpuBackend(1, GemmChoice.JAVA)) {
            cpu = run(b, config, table, labels);
        }
        try (CudaBackend b = new CudaBackend(new EmulatedDevice(1))) {
            gpu = run(b, config, table, labels);
        }
        String[] names = {"params", "adam m", "samples", "stats"};
        for (int i = 0; i < names.length; i++) {
            Parity.assertBitEqual("cnn " + names[i] + " after 3 steps", cpu.get(i), gpu.get(i));
        }
    }
}
