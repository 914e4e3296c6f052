package ebm4j.cli;

import ebm4j.UserException;
import ebm4j.bench.BenchResult;
import ebm4j.bench.Benchmark;
import ebm4j.bench.Sweep;
import ebm4j.bench.TorchReference;
import ebm4j.compute.Backend;
import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import ebm4j.report.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ebm4j bench}: repeated training steps, sampling-only chains and inference on each
 * requested device, measured in one run and printed side by side with the ratios between them.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        header = "Measure training, sampling and inference throughput per device.",
        description = {"Warm-up, then --iters timed repetitions of each workload; prints median/min/max per",
                "device and the ratio between devices. With --torch SCRIPT it also runs the PyTorch reference",
                "(shared/bench/torch_ebm.py) with the same batch, steps and thread count, in the same run."})
public final class BenchCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = {"--batch-size", "--batch_size"}, defaultValue = "64", paramLabel = "N")
    int batchSize;

    @Option(names = {"--langevin-steps", "--langevin_steps"}, defaultValue = "50", paramLabel = "N")
    int steps;

    @Option(names = "--hidden", defaultValue = "512,512,512", paramLabel = "W,W,W")
    String hidden;

    @Option(names = "--iters", defaultValue = "10", paramLabel = "N", description = "Timed repetitions (default 10).")
    int iters;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "N", description = "Untimed repetitions (default 3).")
    int warmup;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Option(names = "--torch", paramLabel = "SCRIPT", description = "Also run the PyTorch reference script.")
    Path torch;

    @Option(names = "--torch-batches", defaultValue = "25", paramLabel = "N",
            description = "Timed batches for the PyTorch reference (default ${DEFAULT-VALUE}).")
    int torchBatches;

    @Option(names = "--sweep", description = {"Instead of one run: batch sizes 32, 64, 128 and 256 at 1 thread and at",
            "--threads (default all cores), training and sampling only; prints a Markdown table."})
    boolean sweep;

    @Option(names = "--data-dir", defaultValue = "data/mnist", paramLabel = "DIR",
            description = "MNIST for realistic inputs and for --torch (uniform noise if absent).")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        if (iters < 1 || warmup < 0 || torchBatches < 1) {
            throw new UserException("--iters and --torch-batches must be >= 1 and --warmup >= 0");
        }
        Map<String, String> o = new LinkedHashMap<>();
        o.put("batch_size", Integer.toString(batchSize));
        o.put("langevin_steps", Integer.toString(steps));
        o.put("hidden_dims", hidden);
        // the original algorithm (seed preset): the one the PyTorch reference implements
        TrainConfig config = ConfigLoader.load("seed", o);

        List<String> devices = switch (common.device.toLowerCase(java.util.Locale.ROOT)) {
            case "all" -> GpuSupport.unavailableReason() == null ? List.of("cpu", "gpu") : List.of("cpu");
            case "auto" -> List.of(GpuSupport.unavailableReason() == null ? "gpu" : "cpu");
            case "cpu", "gpu" -> List.of(common.device.toLowerCase(java.util.Locale.ROOT));
            default -> throw new UserException("--device must be cpu, gpu, all or auto, got '" + common.device + "'");
        };
        if (common.device.equalsIgnoreCase("all") && devices.size() == 1) {
            System.err.println("no usable GPU (" + GpuSupport.unavailableReason() + "): benchmarking the CPU only");
        }
        if (sweep) {
            return sweep(devices, o);
        }
        List<BenchResult> results = new ArrayList<>();
        for (String device : devices) {
            try (Backend backend = Backends.open(options(device, common.threads), System.err::println)) {
                if (!json) {
                    System.err.println("benchmarking " + backend.describe() + " ...");
                }
                results.add(new Benchmark(backend, config, warmup, iters, dataDir).run());
            }
        }
        BenchResult torchResult = null;
        if (torch != null) {
            int threads = common.threads > 0 ? common.threads : Runtime.getRuntime().availableProcessors();
            if (!json) {
                System.err.println("running the PyTorch reference " + torch + " ...");
            }
            torchResult = new TorchReference(torch, dataDir, threads, torchBatches).run(config);
            results.add(torchResult);
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("config", Map.of("batch_size", batchSize, "langevin_steps", steps, "hidden_dims", hidden,
                    "iters", iters, "warmup", warmup));
            List<Object> list = new ArrayList<>();
            results.forEach(r -> list.add(r.toJson()));
            out.put("results", list);
            out.put("ratios", BenchResult.ratios(results));
            System.out.println(Json.write(out));
        } else {
            System.out.print(BenchResult.table(results));
        }
        return 0;
    }

    /** The device's options with this thread count. */
    private static CommonOptions options(String device, int threads) {
        CommonOptions one = new CommonOptions();
        one.device = device;
        one.threads = threads;
        return one;
    }

    /** {@code --sweep}: every batch size at 1 thread and at all threads (the CPU), or once (a GPU). */
    private int sweep(List<String> devices, Map<String, String> overrides) {
        int all = common.threads > 0 ? common.threads : Runtime.getRuntime().availableProcessors();
        Sweep sweep = new Sweep();
        for (String device : devices) {
            List<Integer> threadCounts = device.equals("cpu") ? (all > 1 ? List.of(1, all) : List.of(1)) : List.of(0);
            for (int threads : threadCounts) {
                try (Backend backend = Backends.open(options(device, threads), System.err::println)) {
                    for (int batch : Sweep.BATCHES) {
                        Map<String, String> o = new LinkedHashMap<>(overrides);
                        o.put("batch_size", Integer.toString(batch));
                        TrainConfig config = ConfigLoader.load("seed", o);
                        if (!json) {
                            System.err.println("benchmarking " + backend.describe() + ", batch " + batch + " ...");
                        }
                        BenchResult r = new Benchmark(backend, config, warmup, iters, dataDir).run(Benchmark.Parts.CORE);
                        sweep.add(device, threads, batch, r);
                    }
                }
            }
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("config", Map.of("langevin_steps", steps, "hidden_dims", hidden, "iters", iters, "warmup", warmup));
            out.put("sweep", sweep.toJson());
            System.out.println(Json.write(out));
        } else {
            System.out.print(sweep.table());
        }
        return 0;
    }
}
