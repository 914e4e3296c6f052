package ebm4j.model;

import ebm4j.UserException;
import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import ebm4j.data.ImageShape;
import ebm4j.model.SafeTensors.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A checkpoint is a folder with {@code model.safetensors} (weights under the PyTorch reference's
 * names and shapes, plus the config as metadata) and, for training checkpoints,
 * {@code train_state.safetensors} (Adam moments, Philox/Adam/cursor counters, position in the
 * run). The model file is written last, so a folder whose model file exists is complete.
 */
public final class Checkpoint {
    public static final String MODEL_FILE = "model.safetensors";
    public static final String STATE_FILE = "train_state.safetensors";
    private static final String FORMAT = "ebm4j-1";

    /** Where a run stands: enough to continue it exactly. */
    /** replay is the persistent-chain pool (rows x 784), or null when the run has none. */
    public record TrainState(float[] adamM, float[] adamV, int[] counters, int epoch, int batchInEpoch,
                             float[] replay) {}

    /** A loaded checkpoint; state is null for weights-only checkpoints. */
    public record Loaded(Path dir, ModelSpec spec, float[] params, TrainConfig config, TrainState state) {}

    private Checkpoint() {}

    public static void save(Path dir, ModelSpec spec, float[] params, TrainConfig config, TrainState state)
            throws IOException {
        List<TensorSpec> layout = Models.type(spec.kind()).tensors(spec);
        Files.createDirectories(dir);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("input_shape", spec.input().toString());
        meta.put("classes", Integer.toString(spec.classes()));
        if (spec.kind().equals(EnergyNet.TYPE.name())) {
            meta.put("widths", join(EnergyNet.layout(spec).widths())); // what older ebm4j versions read
        }
        config.toProperties().forEach((k, v) -> meta.put("config." + k, v));
        if (state != null) {
            Map<String, Tensor> st = new LinkedHashMap<>();
            st.put("adam.m", Tensor.of(state.adamM(), state.adamM().length));
            st.put("adam.v", Tensor.of(state.adamV(), state.adamV().length));
            st.put("counters", Tensor.ofInts(state.counters(), state.counters().length));
            if (state.replay() != null) {
                st.put("replay.pool", Tensor.of(state.replay(), state.replay().length / spec.inputs(), spec.inputs()));
            }
            Map<String, String> stMeta = new LinkedHashMap<>(meta);
            stMeta.put("epoch", Integer.toString(state.epoch()));
            stMeta.put("batch_in_epoch", Integer.toString(state.batchInEpoch()));
            SafeTensors.write(dir.resolve(STATE_FILE), st, stMeta);
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (TensorSpec t : layout) {
            tensors.put(t.name(), Tensor.of(slice(params, t.offset(), t.size()), t.shape()));
        }
        SafeTensors.write(dir.resolve(MODEL_FILE), tensors, meta);
    }

    /**
     * Loads a checkpoint folder, its model file, or a run folder (then its newest checkpoint).
     * Every inconsistency is a {@link UserException}.
     */
    public static Loaded load(Path path) {
        Path dir = resolve(path);
        SafeTensors.Contents model = SafeTensors.read(dir.resolve(MODEL_FILE));
        Map<String, String> meta = checkedMetadata(dir, model);
        TrainConfig config = ConfigLoader.fromProperties(savedConfig(meta), dir.toString());
        ModelSpec spec = spec(dir, meta, config);
        List<TensorSpec> layout;
        try {
            layout = Models.type(spec.kind()).tensors(spec);
        } catch (IllegalArgumentException e) {
            throw new UserException("checkpoint " + dir + " describes an impossible model: " + e.getMessage());
        }
        float[] params = new float[Math.toIntExact(Models.type(spec.kind()).parameterCount(spec))];
        for (TensorSpec t : layout) {
            copyInto(dir, model, t.name(), t.shape(), params, t.offset());
        }
        TrainState state = null;
        Path stateFile = dir.resolve(STATE_FILE);
        if (Files.exists(stateFile)) {
            SafeTensors.Contents st = SafeTensors.read(stateFile);
            float[] m = floats(dir, st, "adam.m", params.length);
            float[] v = floats(dir, st, "adam.v", params.length);
            Tensor c = st.tensors().get("counters");
            if (c == null || c.ints() == null) {
                throw new UserException(stateFile + " lacks its counters tensor; the checkpoint is incomplete");
            }
            Tensor replay = st.tensors().get("replay.pool");
            state = new TrainState(m, v, c.ints(), intMeta(stateFile, st, "epoch"),
                    intMeta(stateFile, st, "batch_in_epoch"), replay == null ? null : replay.floats());
        }
        return new Loaded(dir, spec, params, config, state);
    }

    /**
     * The config a checkpoint was saved with, as written: no defaults filled in, no validation, so
     * that checkpoints of other ebm4j versions (keys added or removed since) can be read and compared.
     *
     * @param dir        the checkpoint folder that {@code path} resolves to (as {@link #load})
     * @param properties its hyperparameters, by key, in the order saved
     */
    public record SavedConfig(Path dir, Map<String, String> properties) {}

    /** Reads only the config of the checkpoint {@code path} resolves to (as {@link #load}); no tensors are kept. */
    public static SavedConfig savedConfig(Path path) {
        Path dir = resolve(path);
        return new SavedConfig(dir, savedConfig(checkedMetadata(dir, SafeTensors.read(dir.resolve(MODEL_FILE)))));
    }

    private static Map<String, String> checkedMetadata(Path dir, SafeTensors.Contents model) {
        Map<String, String> meta = model.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new UserException(dir.resolve(MODEL_FILE) + " is not an ebm4j checkpoint (format '"
                    + meta.get("format") + "', expected " + FORMAT + ")");
        }
        return meta;
    }

    private static Map<String, String> savedConfig(Map<String, String> meta) {
        Map<String, String> cfg = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith("config.")) {
                cfg.put(k.substring("config.".length()), v);
            }
        });
        return cfg;
    }

    /** The newest complete checkpoint folder under {@code checkpointsDir}, or null. */
    public static Path newest(Path checkpointsDir) {
        return listComplete(checkpointsDir).stream().reduce((a, b) -> b).orElse(null);
    }

    /** Deletes all but the newest {@code keep} checkpoint folders named {@code step-*}. */
    public static void prune(Path checkpointsDir, int keep) throws IOException {
        List<Path> all = listComplete(checkpointsDir);
        all.removeIf(p -> !p.getFileName().toString().startsWith("step-"));
        for (int i = 0; i < all.size() - keep; i++) {
            try (Stream<Path> files = Files.list(all.get(i))) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(all.get(i));
        }
    }

    private static List<Path> listComplete(Path checkpointsDir) {
        if (!Files.isDirectory(checkpointsDir)) {
            return new ArrayList<>();
        }
        try (Stream<Path> s = Files.list(checkpointsDir)) {
            return new ArrayList<>(s.filter(p -> Files.isRegularFile(p.resolve(MODEL_FILE)))
                    .sorted(Comparator.comparing(Checkpoint::modified).thenComparing(Path::toString))
                    .toList());
        } catch (IOException e) {
            throw new UserException("cannot list checkpoints in " + checkpointsDir + ": " + e.getMessage());
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p.resolve(MODEL_FILE)).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static Path resolve(Path path) {
        if (Files.isRegularFile(path) && path.getFileName().toString().equals(MODEL_FILE)) {
            return path.toAbsolutePath().getParent();
        }
        if (Files.isRegularFile(path)) {
            SafeTensors.read(path); // a bare safetensors file of another name: say what is wrong with it
            return path.toAbsolutePath().getParent();
        }
        if (Files.isRegularFile(path.resolve(MODEL_FILE))) {
            return path;
        }
        Path newest = newest(path.resolve("checkpoints"));
        if (newest != null) {
            return newest;
        }
        throw new UserException("no checkpoint at " + path + ": give a checkpoint folder (with "
                + MODEL_FILE + "), its " + MODEL_FILE + ", or a run folder with checkpoints/");
    }

    private static void copyInto(Path dir, SafeTensors.Contents c, String name, long[] shape, float[] dst,
                                 long offset) {
        Tensor t = c.tensors().get(name);
        if (t == null || t.floats() == null) {
            throw new UserException("checkpoint " + dir + " lacks float tensor " + name
                    + " (a checkpoint of another architecture?)");
        }
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new UserException("checkpoint " + dir + ": tensor " + name + " has shape "
                    + java.util.Arrays.toString(t.shape()) + ", expected " + java.util.Arrays.toString(shape));
        }
        System.arraycopy(t.floats(), 0, dst, Math.toIntExact(offset), t.floats().length);
    }

    private static float[] floats(Path dir, SafeTensors.Contents c, String name, int length) {
        Tensor t = c.tensors().get(name);
        if (t == null || t.floats() == null || t.floats().length != length) {
            throw new UserException("checkpoint " + dir + ": " + name + " is missing or has the wrong size"
                    + " (a state file of another architecture?)");
        }
        return t.floats();
    }

    private static int intMeta(Path file, SafeTensors.Contents c, String key) {
        try {
            return Integer.parseInt(c.metadata().get(key));
        } catch (NumberFormatException e) {
            throw new UserException(file + ": metadata '" + key + "' is missing or not a number");
        }
    }

    /**
     * The model a checkpoint holds: its kind from the config, the input shape and classes from the
     * metadata. Checkpoints written before the metadata had them carry only the MLP's widths; they
     * were all MNIST-shaped.
     */
    private static ModelSpec spec(Path dir, Map<String, String> meta, TrainConfig config) {
        try {
            if (meta.containsKey("input_shape")) {
                return new ModelSpec(config.model(), parseShape(meta.get("input_shape")),
                        Integer.parseInt(meta.get("classes")), config.hiddenDims());
            }
            int[] widths = parseWidths(dir, meta.get("widths"));
            int inputs = widths[0];
            ImageShape shape = inputs == ImageShape.MNIST.pixels() ? ImageShape.MNIST : new ImageShape(1, inputs, 1);
            List<Integer> hidden = new ArrayList<>();
            for (int i = 1; i < widths.length - 1; i++) {
                hidden.add(widths[i]);
            }
            return new ModelSpec(config.model(), shape, widths[widths.length - 1], hidden);
        } catch (IllegalArgumentException e) {
            throw new UserException("checkpoint " + dir + " has no valid model shape in its metadata ("
                    + e.getMessage() + ")");
        }
    }

    private static ImageShape parseShape(String text) {
        String[] p = text.split("x");
        if (p.length < 2 || p.length > 3) {
            throw new IllegalArgumentException("input_shape '" + text + "'");
        }
        return new ImageShape(Integer.parseInt(p[0]), Integer.parseInt(p[1]), p.length == 3 ? Integer.parseInt(p[2]) : 1);
    }

    private static int[] parseWidths(Path dir, String widths) {
        try {
            String[] parts = widths.split(",");
            int[] w = new int[parts.length];
            for (int i = 0; i < w.length; i++) {
                w[i] = Integer.parseInt(parts[i].trim());
                if (w[i] < 1) {
                    throw new NumberFormatException();
                }
            }
            return w;
        } catch (RuntimeException e) {
            throw new UserException("checkpoint " + dir + " has no valid layer widths in its metadata");
        }
    }

    private static float[] slice(float[] a, long offset, long length) {
        float[] out = new float[Math.toIntExact(length)];
        System.arraycopy(a, Math.toIntExact(offset), out, 0, out.length);
        return out;
    }

    private static String join(int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            sb.append(i == 0 ? "" : ",").append(w[i]);
        }
        return sb.toString();
    }
}
