package ebm4j.cli;

import ebm4j.UserException;
import ebm4j.bench.BenchResult;
import ebm4j.bench.Benchmark;
import ebm4j.bench.Sweep;
import ebm4j.bench.TorchReference;
import ebm4j.compute.Backend;
import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import ebm4j.Json;
import ebm4j.TempFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ebm4j bench}: repeated training steps, sampling-only chains and inference on each
 * requested device, measured in one run and printed side by side with the ratios between them.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        header = "Measure training, sampling and inference throughput per device.",
        description = "Warm-up, then --iters timed repetitions of each workload; prints median/min/max per device and "
                + "the ratio between devices. With --torch SCRIPT it also runs the PyTorch reference "
                + "(shared/bench/torch_ebm.py) with the same batch, steps and thread count, in the same run.")
public final class BenchCommand implements Callable<Integer> {
    /** The devices to measure: one, or every usable one side by side. */
    enum Devices {
        AUTO, CPU, GPU, ALL;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICES",
            description = "${COMPLETION-CANDIDATES}: all measures every usable device side by side. Default: ${DEFAULT-VALUE}.")
    Devices devices;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "CPU worker threads (0 = all cores). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--verbose", description = "Show stack traces for errors.")
    boolean verbose;

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

    /** Where the PyTorch reference runs. */
    enum TorchDevice {
        /** cuda exactly when this run benchmarks the GPU, else cpu. */
        AUTO, CPU, CUDA;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Option(names = "--torch-device", defaultValue = "auto", paramLabel = "DEVICE",
            description = "Where the PyTorch reference runs: ${COMPLETION-CANDIDATES}; auto is cuda when this run"
                    + " benchmarks the GPU, else cpu. Default: ${DEFAULT-VALUE}.")
    TorchDevice torchDevice;

    @Option(names = "--torch-python", paramLabel = "PYTHON",
            description = "Python interpreter with PyTorch (default /usr/bin/python3 if present, else python3).")
    String torchPython;

    @Option(names = "--json-file", paramLabel = "FILE",
            description = "Also write the JSON object to FILE (the table still goes to stdout).")
    Path jsonFile;

    @Option(names = "--sweep", description = "Instead of one run: batch sizes 32, 64, 128 and 256 at 1 thread and at"
            + " --threads (default all cores), training and sampling only; prints a Markdown table.")
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

        boolean gpu = GpuSupport.unavailableReason() == null;
        List<CommonOptions.Device> chosen = switch (devices) {
            case ALL -> gpu ? List.of(CommonOptions.Device.CPU, CommonOptions.Device.GPU) : List.of(CommonOptions.Device.CPU);
            case AUTO -> List.of(gpu ? CommonOptions.Device.GPU : CommonOptions.Device.CPU);
            case CPU -> List.of(CommonOptions.Device.CPU);
            case GPU -> List.of(CommonOptions.Device.GPU);
        };
        String torchWhere = switch (torchDevice) {   // decided before any time is spent
            case AUTO -> chosen.contains(CommonOptions.Device.GPU) ? "cuda" : "cpu";
            case CPU -> "cpu";
            case CUDA -> "cuda";
        };
        if (jsonFile != null) {
            Path parent = jsonFile.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw new UserException("--json-file: no folder " + parent);
            }
        }
        if (devices == Devices.ALL && !gpu) {
            System.err.println("no usable GPU (" + GpuSupport.unavailableReason() + "): benchmarking the CPU only");
        }
        if (sweep) {
            return sweep(chosen, o);
        }
        List<BenchResult> results = new ArrayList<>();
        for (CommonOptions.Device device : chosen) {
            try (Backend backend = Backends.open(options(device, threads), System.err::println)) {
                if (!json) {
                    System.err.println("benchmarking " + backend.describe() + " ...");
                }
                results.add(new Benchmark(backend, config, warmup, iters, dataDir).run());
            }
        }
        UserException torchFailure = null;
        if (torch != null) {
            int torchThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
            if (!json) {
                System.err.println("running the PyTorch reference " + torch + " on " + torchWhere + " ...");
            }
            String python = torchPython != null ? torchPython : TorchReference.defaultPython();
            try {
                results.add(new TorchReference(torch, dataDir, torchThreads, torchBatches, torchWhere, python)
                        .run(config));
            } catch (UserException e) {
                torchFailure = e;   // ebm4j's own figures are still printed below
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", Map.of("batch_size", batchSize, "langevin_steps", steps, "hidden_dims", hidden,
                "iters", iters, "warmup", warmup));
        List<Object> list = new ArrayList<>();
        results.forEach(r -> list.add(r.toJson()));
        out.put("results", list);
        out.put("ratios", BenchResult.ratios(results));
        String jsonText = Json.write(out);
        if (json) {
            spec.commandLine().getOut().println(jsonText);
        } else {
            spec.commandLine().getOut().print(BenchResult.table(results));
            spec.commandLine().getOut().flush();
        }
        if (jsonFile != null) {
            TempFiles.writeString(jsonFile.toAbsolutePath(), jsonText + "\n");
        }
        if (torchFailure != null) {
            throw torchFailure;
        }
        return 0;
    }

    /** The device's options with this thread count. */
    private static CommonOptions options(CommonOptions.Device device, int threads) {
        CommonOptions one = new CommonOptions();
        one.device = device;
        one.threads = threads;
        return one;
    }

    /** {@code --sweep}: every batch size at 1 thread and at all threads (the CPU), or once (a GPU). */
    private int sweep(List<CommonOptions.Device> devices, Map<String, String> overrides) {
        int all = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        Sweep table = new Sweep();
        for (CommonOptions.Device device : devices) {
            boolean cpu = device == CommonOptions.Device.CPU;
            List<Integer> threadCounts = cpu ? (all > 1 ? List.of(1, all) : List.of(1)) : List.of(0);
            for (int t : threadCounts) {
                try (Backend backend = Backends.open(options(device, t), System.err::println)) {
                    for (int batch : Sweep.BATCHES) {
                        Map<String, String> o = new LinkedHashMap<>(overrides);
                        o.put("batch_size", Integer.toString(batch));
                        TrainConfig config = ConfigLoader.load("seed", o);
                        if (!json) {
                            System.err.println("benchmarking " + backend.describe() + ", batch " + batch + " ...");
                        }
                        BenchResult r = new Benchmark(backend, config, warmup, iters, dataDir).run(Benchmark.Parts.CORE);
                        table.add(device.toString(), t, batch, r);
                    }
                }
            }
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("config", Map.of("langevin_steps", steps, "hidden_dims", hidden, "iters", iters, "warmup", warmup));
            out.put("sweep", table.toJson());
            spec.commandLine().getOut().println(Json.write(out));
        } else {
            spec.commandLine().getOut().print(table.table());
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
