package ebm4j.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.IntBuf;
import ebm4j.compute.LossStats;
import ebm4j.compute.Parity;
import ebm4j.compute.PhaseTimer;
import ebm4j.compute.cpu.CpuBackend;
import ebm4j.compute.cpu.GemmChoice;
import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import ebm4j.model.EnergyNet;
import ebm4j.model.ParameterLayout;
import ebm4j.train.ChainPools;
import ebm4j.train.TrainStep;

/**
 * The project's own training step ({@link TrainStep}: gather, Langevin chain, stacked
 * forward/backward, hybrid loss, Adam, counters, all inside {@code repeatable()}, so captured
 * once and replayed) on the emulated CUDA backend against the CPU backend with its Java GEMM.
 *
 * <p>With one pretend SM every product takes the unsplit kernel, which sums each output as one
 * fmaf chain in k order and applies alpha and beta as the CPU's Java GEMM does, and the
 * elementwise kernels copy the CPU's expressions; so after three steps (the last a graph replay)
 * the weights, Adam moments, samples and statistics agree bit for bit, up to the host libm's
 * double exp/log against Java's (an ulp of a double, invisible in float but for rare ties).
 */
class CudaEmulatedTrainStepTest {

    private static List<Object> runSteps(Backend b, TrainConfig config, ParameterLayout layout, float[] table,
                                         int[] labels, int steps) {
        return runEpochs(b, config, layout, table, labels, 1, steps);
    }

    /**
     * {@code epochs} epochs of {@code steps} steps, with the Trainer's epoch boundary: a new
     * permutation, the data cursor back to 0, and the pool's {@link ebm4j.train.ReplayBuffer#prepareEpoch}
     * (which frees and reallocates its index buffers).
     */
    private static List<Object> runEpochs(Backend b, TrainConfig config, ParameterLayout layout, float[] table,
                                          int[] labels, int epochs, int steps) {
        int batch = config.batchSize();
        try (EnergyNet net = new EnergyNet(b, ebm4j.model.TestSpecs.mlp(layout.widths()), config.passBatches() * batch);
             Buf t = b.alloc(table.length); IntBuf y = b.allocInt(labels.length);
             IntBuf perm = b.allocInt(labels.length); IntBuf counters = b.allocInt(Counters.SIZE);
             Buf stats = b.alloc(LossStats.SIZE)) {
            net.initialise(config.seed());
            b.upload(t, table);
            b.uploadInt(y, 0, labels, 0, labels.length);
            int[] p = new int[labels.length];
            for (int i = 0; i < p.length; i++) p[i] = (i * 7) % p.length;
            b.uploadInt(perm, 0, p, 0, p.length);
            try (ChainPools replay = config.replaySize() == 0 ? null : new ChainPools(b, config, 784, 10);
                 TrainStep step = new TrainStep(net, config, counters, stats, replay, 0)) {
                PhaseTimer timer = step.timer();
                int batches = labels.length / batch;
                for (int e = 0; e < epochs; e++) {
                    if (e > 0) {
                        for (int i = 0; i < p.length; i++) p[i] = (i * 5 + e) % p.length;
                        b.uploadInt(perm, 0, p, 0, p.length);
                        int[] c = b.downloadInt(counters);
                        c[Counters.CURSOR] = 0;
                        b.uploadInt(counters, 0, c, 0, c.length);
                    }
                    if (replay != null) {
                        replay.prepareEpoch(e, batches, 0, (long) e * batches);
                    }
                    for (int s = 0; s < steps; s++) step.enqueue(batch, t, y, perm);
                }
                b.synchronize();
                Map<String, Double> phases = timer.drainMillis();
                return List.of(b.download(net.params()), b.download(step.adamM()), b.download(step.adamV()),
                        b.download(step.lastSamples(batch)), b.download(stats), b.downloadInt(counters), phases,
                        replay == null ? new float[0] : replay.poolContents(),
                        replay == null || config.noiseChains() == 0 ? new float[0] : replay.shortLivedContents());
            }
        }
    }

    /**
     * Across an epoch boundary with persistent chains: the pool's index buffers are freed and
     * reallocated, so the step graph captured in epoch 1 must not be replayed in epoch 2 unless
     * every address and value in it is still the same.
     */
    @Test
    void stepsAcrossAnEpochBoundaryWithThePoolMatchTheCpuBitForBit() {
        String problem = EmulatedDevice.problem();
        Assumptions.assumeTrue(problem == null, () -> "kernel emulator unavailable: " + problem);
        TrainConfig config = ConfigLoader.load(null, Map.of("hidden_dims", "16,16", "batch_size", "6",
                "langevin_steps", "3", "energy_l2", "0.1", "data_noise", "0.01", "replay_size", "12",
                "replay_reinit", "0.3"));
        ParameterLayout layout = ParameterLayout.of(784, config.hiddenDims(), 10);
        int rows = 24;
        SplittableRandom r = new SplittableRandom(5);
        float[] table = new float[rows * 784];
        for (int i = 0; i < table.length; i++) table[i] = (float) (2 * r.nextDouble() - 1);
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) labels[i] = r.nextInt(10);

        List<Object> cpu, gpu;
        try (Backend b = new CpuBackend(1, GemmChoice.JAVA)) {
            cpu = runEpochs(b, config, layout, table, labels, 2, 2);
        }
        long captures;
        try (CudaBackend b = new CudaBackend(new EmulatedDevice(1))) {
            gpu = runEpochs(b, config, layout, table, labels, 2, 2);
            captures = b.graphs().captures();
        }
        // each epoch's second step replays the first one's graph; the second epoch may need its own
        assertTrue(captures >= 1 && captures <= 2, "graph captures in 4 steps over 2 epochs: " + captures);
        Parity.assertBitEqual("replay pool after 2 epochs", (float[]) cpu.get(7), (float[]) gpu.get(7));
        String[] names = {"params", "adam m", "adam v", "samples", "stats"};
        for (int i = 0; i < names.length; i++) {
            Parity.assertBitEqual(names[i] + " after 2 epochs", (float[]) cpu.get(i), (float[]) gpu.get(i));
        }
    }

    /**
     * Also with persistent chains (the pool's gathers run in place inside the captured graph), and
     * with short-lived class-conditional chains beside them in one Langevin chain.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"replay_size=0", "replay_size=12",
            "replay_size=24,batch_size=12,noise_chains=10,noise_chain_life=8"})
    void threeTrainStepsMatchTheCpuBitForBit(String chains) {
        String problem = EmulatedDevice.problem();
        Assumptions.assumeTrue(problem == null, () -> "kernel emulator unavailable: " + problem);
        Map<String, String> settings = new java.util.HashMap<>(Map.of("hidden_dims", "24,16", "batch_size", "6",
                "langevin_steps", "4", "energy_l2", "0.1", "data_noise", "0.01", "replay_reinit", "0.3"));
        for (String kv : chains.split(",")) {
            settings.put(kv.split("=")[0], kv.split("=")[1]);
        }
        TrainConfig config = ConfigLoader.load(null, settings);
        int batch = config.batchSize();
        ParameterLayout layout = ParameterLayout.of(784, config.hiddenDims(), 10);
        int rows = 40;
        SplittableRandom r = new SplittableRandom(3);
        float[] table = new float[rows * 784];
        for (int i = 0; i < table.length; i++) table[i] = (float) (2 * r.nextDouble() - 1);
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) labels[i] = r.nextInt(10);

        List<Object> cpu, gpu;
        try (Backend b = new CpuBackend(2, GemmChoice.JAVA)) {
            cpu = runSteps(b, config, layout, table, labels, 3);
        }
        try (Backend b = new CudaBackend(new EmulatedDevice(1))) {
            gpu = runSteps(b, config, layout, table, labels, 3);
        }
        Parity.assertBitEqual("replay pool after 3 steps", (float[]) cpu.get(7), (float[]) gpu.get(7));
        Parity.assertBitEqual("short-lived chains after 3 steps", (float[]) cpu.get(8), (float[]) gpu.get(8));
        String[] names = {"params", "adam m", "adam v", "samples", "stats"};
        for (int i = 0; i < names.length; i++) {
            Parity.assertBitEqual(names[i] + " after 3 steps", (float[]) cpu.get(i), (float[]) gpu.get(i));
        }
        assertEquals(List.of(3, 3 * batch), List.of(((int[]) gpu.get(5))[Counters.ADAM_T], ((int[]) gpu.get(5))[Counters.CURSOR]));
        @SuppressWarnings("unchecked")
        Map<String, Double> phases = (Map<String, Double>) gpu.get(6);
        assertTrue(phases.keySet().containsAll(List.of(TrainStep.DATA, TrainStep.SAMPLING,
                TrainStep.FORWARD_BACKWARD, TrainStep.OPTIMIZER)), "phases timed inside the graph: " + phases);
    }
}
