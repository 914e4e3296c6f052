package ebm4j.model;

import ebm4j.UserException;
import ebm4j.compute.Counters;
import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import ebm4j.data.ImageShape;
import ebm4j.model.SafeTensors.Entry;
import ebm4j.model.SafeTensors.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A checkpoint is a folder with {@code model.safetensors} (weights under the PyTorch reference's
 * names and shapes, plus the config as metadata) and, for training checkpoints,
 * {@code train_state.safetensors} (Adam moments, Philox/Adam/cursor counters, position in the
 * run, the persistent-chain pool). The model file is written last, so a folder whose model file
 * exists is complete; both files carry the same random {@value #ID}, so a state file is never
 * used with another checkpoint's weights.
 *
 * <p>{@link #load} trusts nothing in the files: it checks both headers, requires the metadata to
 * describe a valid model whose tensors are exactly the file's, checks the state's tensors,
 * counters and position, and the heap the arrays need, all before it reads any tensor data; the
 * values read must be finite. Every problem is one {@link UserException}.
 */
public final class Checkpoint {
    public static final String MODEL_FILE = "model.safetensors";
    public static final String STATE_FILE = "train_state.safetensors";
    private static final String FORMAT = "ebm4j-1";
    /** Metadata key of the random id both files of one checkpoint carry. */
    static final String ID = "checkpoint_id";
    /** The state file's tensor of the short-lived chains ({@code noise_chains}). */
    private static final String NOISE_CHAINS = "replay.noise_chains";
    /** Checkpoint folders a run writes: step-&lt;global batch&gt;, nine digits. */
    private static final Pattern STEP = Pattern.compile("step-(\\d{1,18})");
    /** Upper bounds of what metadata may describe (images are bounded by {@link ImageShape#MAX_PIXELS}). */
    private static final int MAX_CLASSES = 1 << 16, MAX_WIDTH = 1 << 16;

    /** Where a run stands: enough to continue it exactly. */
    /**
     * replay is the persistent-chain pool (rows x inputs), or null when the run has none;
     * noiseChains the short-lived pool of {@code noise_chains} (rows x inputs), or null.
     */
    public record TrainState(float[] adamM, float[] adamV, int[] counters, int epoch, int batchInEpoch,
                             float[] replay, float[] noiseChains) {
        /** A state without short-lived chains. */
        public TrainState(float[] adamM, float[] adamV, int[] counters, int epoch, int batchInEpoch, float[] replay) {
            this(adamM, adamV, counters, epoch, batchInEpoch, replay, null);
        }
    }

    /** A loaded checkpoint; state is null for weights-only checkpoints. */
    public record Loaded(Path dir, ModelSpec spec, float[] params, TrainConfig config, TrainState state) {}

    private Checkpoint() {}

    public static void save(Path dir, ModelSpec spec, float[] params, TrainConfig config, TrainState state)
            throws IOException {
        List<TensorSpec> layout = Models.type(spec.kind()).tensors(spec);
        Files.createDirectories(dir);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put(ID, newId());
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
            if (state.noiseChains() != null) {
                st.put(NOISE_CHAINS, Tensor.of(state.noiseChains(), state.noiseChains().length / spec.inputs(),
                        spec.inputs()));
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
     * A fresh random id for one checkpoint's two files: 128 bits, unique in practice; not a secret,
     * so no SecureRandom (whose first use costs a run's start-up time).
     */
    private static String newId() {
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        return String.format("%016x%016x", r.nextLong(), r.nextLong() ^ System.nanoTime());
    }

    /**
     * Loads a checkpoint folder, its model file, or a run folder (then its newest checkpoint).
     * Every inconsistency is a {@link UserException}, found before the tensor data is read.
     */
    public static Loaded load(Path path) {
        Path dir = resolve(path);
        for (int attempt = 1; ; attempt++) {
            Object modelKey = fileKey(dir.resolve(MODEL_FILE)), stateKey = fileKey(dir.resolve(STATE_FILE));
            try {
                return loadOnce(dir);
            } catch (MixedFiles e) {
                // a run writing this checkpoint right now renames the new state file, then the new model
                // file into place: a reader in between sees two ids. Read again if a file was replaced.
                boolean replaced = !java.util.Objects.equals(modelKey, fileKey(dir.resolve(MODEL_FILE)))
                        || !java.util.Objects.equals(stateKey, fileKey(dir.resolve(STATE_FILE)));
                if (!replaced || attempt == 5) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** What identifies a file (its inode), so a replacement by rename is seen; null when absent. */
    private static Object fileKey(Path file) {
        try {
            var a = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            return java.util.List.of(String.valueOf(a.fileKey()), a.lastModifiedTime(), a.size());
        } catch (IOException e) {
            return null;
        }
    }

    /** The two files of a checkpoint folder carry different ids. */
    private static final class MixedFiles extends UserException {
        private static final long serialVersionUID = 1L;

        MixedFiles(String message) {
            super(message);
        }
    }

    private static Loaded loadOnce(Path dir) {
        Path stateFile = dir.resolve(STATE_FILE);
        try (SafeTensors.Reader model = SafeTensors.open(dir.resolve(MODEL_FILE));
             SafeTensors.Reader state = Files.exists(stateFile) ? SafeTensors.open(stateFile) : null) {
            Map<String, String> meta = model.metadata();
            if (!FORMAT.equals(meta.get("format"))) {
                throw new UserException(model.file() + " is not an ebm4j checkpoint (format '"
                        + meta.get("format") + "', expected " + FORMAT + ")");
            }
            TrainConfig config = config(dir, meta);
            ModelSpec spec = spec(dir, meta, config);
            long params = ModelSize.parameters(spec, "checkpoint " + dir);
            List<TensorSpec> layout = Models.type(spec.kind()).tensors(spec);
            requireExactly(model, layout);
            StateCheck st = state == null ? null : new StateCheck(dir, state, meta, config, spec, params);

            long floats = st == null ? params : 3 * params + st.poolFloats();
            ModelSize.requireHeap(4 * floats, "loading checkpoint " + dir);
            float[] p = new float[(int) params];
            for (TensorSpec t : layout) {
                model.readFloats(t.name(), p, (int) t.offset());
            }
            requireFinite(model.file(), "weights", p);
            return new Loaded(dir, spec, p, config, st == null ? null : st.read());
        }
    }

    /** The checkpoint's hyperparameters, from its {@code config.*} metadata. */
    private static TrainConfig config(Path dir, Map<String, String> meta) {
        return ConfigLoader.fromProperties(savedProperties(meta), dir.toString());
    }

    /** The {@code config.*} metadata, by key, in the order saved. */
    private static Map<String, String> savedProperties(Map<String, String> meta) {
        Map<String, String> cfg = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith("config.")) {
                cfg.put(k.substring("config.".length()), v);
            }
        });
        return cfg;
    }

    /**
     * The config a checkpoint was saved with, as written: no defaults filled in, no validation, so
     * that checkpoints of other ebm4j versions (keys added or removed since) can be read and compared.
     *
     * @param dir        the checkpoint folder that {@code path} resolves to (as {@link #load})
     * @param properties its hyperparameters, by key, in the order saved
     */
    public record SavedConfig(Path dir, Map<String, String> properties) {}

    /** Reads only the config of the checkpoint {@code path} resolves to (as {@link #load}): the model file's header. */
    public static SavedConfig savedConfig(Path path) {
        Path dir = resolve(path);
        try (SafeTensors.Reader model = SafeTensors.open(dir.resolve(MODEL_FILE))) {
            if (!FORMAT.equals(model.metadata().get("format"))) {
                throw new UserException(model.file() + " is not an ebm4j checkpoint (format '"
                        + model.metadata().get("format") + "', expected " + FORMAT + ")");
            }
            return new SavedConfig(dir, savedProperties(model.metadata()));
        }
    }

    /** The file holds exactly the model's tensors, each F32 in the model's shape. */
    private static void requireExactly(SafeTensors.Reader file, List<TensorSpec> layout) {
        for (TensorSpec t : layout) {
            Entry e = file.tensors().get(t.name());
            if (e == null || !e.is(SafeTensors.F32, t.shape())) {
                throw new UserException("checkpoint " + file.file() + " has " + (e == null ? "no tensor " + t.name() : e)
                        + " where its metadata's model has " + t.name() + " F32" + Arrays.toString(t.shape())
                        + " (a checkpoint of another architecture?)");
            }
        }
        if (file.tensors().size() != layout.size()) {
            List<String> extra = new ArrayList<>(file.tensors().keySet());
            layout.forEach(t -> extra.remove(t.name()));
            throw new UserException("checkpoint " + file.file() + " holds tensors its model does not have: "
                    + String.join(", ", extra.subList(0, Math.min(5, extra.size()))));
        }
    }

    /**
     * The state file, checked against its model file before anything is read: the same id, the
     * Adam moments' and counters' shapes, the pool's shape, and a position inside the run.
     */
    private static final class StateCheck {
        private final Path dir;
        private final SafeTensors.Reader file;
        private final long params;
        private final int epoch;
        private final int batchInEpoch;
        private final Entry pool;
        private final Entry noiseChains;

        StateCheck(Path dir, SafeTensors.Reader file, Map<String, String> modelMeta, TrainConfig config, ModelSpec spec,
                   long params) {
            this.dir = dir;
            this.file = file;
            this.params = params;
            String id = modelMeta.get(ID), stateId = file.metadata().get(ID);
            // Checkpoints written before ids existed carry none in either file: they load (every other check
            // still applies). One id without the other, or two different ids, is a folder mixing checkpoints.
            boolean legacy = id == null && stateId == null;
            if (!legacy && (id == null || !id.equals(stateId))) {
                throw new MixedFiles("checkpoint " + dir + ": " + STATE_FILE + " does not belong to " + MODEL_FILE
                        + " (checkpoint ids " + stateId + " and " + id + "); the folder mixes two checkpoints");
            }
            require("adam.m", SafeTensors.F32, params);
            require("adam.v", SafeTensors.F32, params);
            require("counters", SafeTensors.I32, Counters.SIZE);
            pool = file.tensors().get("replay.pool");
            int expected = 3;
            if (pool != null) {
                long[] s = pool.shape();
                if (!pool.dtype().equals(SafeTensors.F32) || s.length != 2 || s[1] != spec.inputs() || s[0] < 1
                        || s[0] > config.replaySize()) {
                    throw invalid("replay.pool is " + pool + "; expected F32[rows, " + spec.inputs() + "] with 1 to "
                            + config.replaySize() + " rows (replay_size)");
                }
                expected++;
            }
            noiseChains = file.tensors().get(NOISE_CHAINS);
            if (noiseChains != null) {
                long[] s = noiseChains.shape();
                long most = config.noiseChainPoolRows();
                if (!noiseChains.dtype().equals(SafeTensors.F32) || s.length != 2 || s[1] != spec.inputs() || s[0] < 1
                        || s[0] > most) {
                    throw invalid(NOISE_CHAINS + " is " + noiseChains + "; expected F32[rows, " + spec.inputs()
                            + "] with 1 to " + most + " rows (noise_chains x noise_chain_life / langevin_steps)");
                }
                expected++;
            }
            if (file.tensors().size() != expected) {
                throw invalid("it holds tensors other than adam.m, adam.v, counters, replay.pool and " + NOISE_CHAINS + ": "
                        + file.tensors().keySet());
            }
            epoch = intMeta("epoch");
            batchInEpoch = intMeta("batch_in_epoch");
            if (epoch < 0 || epoch > config.epochs() || batchInEpoch < 0 || (epoch == config.epochs() && batchInEpoch > 0)
                    || (long) batchInEpoch * config.batchSize() > Integer.MAX_VALUE) {
                throw invalid("its position (epoch " + epoch + ", batch " + batchInEpoch + ") is outside a run of "
                        + config.epochs() + " epochs");
            }
        }

        long poolFloats() {
            return (pool == null ? 0 : pool.elements()) + (noiseChains == null ? 0 : noiseChains.elements());
        }

        TrainState read() {
            int[] counters = file.ints("counters");
            if (Counters.step(counters) < 0 || counters[Counters.ADAM_T] < 0 || counters[Counters.CURSOR] < 0) {
                throw invalid("its counters " + Arrays.toString(counters) + " are negative");
            }
            float[] m = file.floats("adam.m");
            float[] v = file.floats("adam.v");
            requireFinite(file.file(), "adam.m", m);
            requireFinite(file.file(), "adam.v", v);
            for (float x : v) {
                if (x < 0) {
                    throw invalid("adam.v holds a negative second moment");
                }
            }
            float[] replay = pool == null ? null : file.floats("replay.pool");
            if (replay != null) {
                requireFinite(file.file(), "replay.pool", replay);
            }
            float[] shortLived = noiseChains == null ? null : file.floats(NOISE_CHAINS);
            if (shortLived != null) {
                requireFinite(file.file(), NOISE_CHAINS, shortLived);
            }
            return new TrainState(m, v, counters, epoch, batchInEpoch, replay, shortLived);
        }

        private void require(String name, String dtype, long length) {
            Entry e = file.tensors().get(name);
            if (e == null || !e.is(dtype, length)) {
                throw invalid((e == null ? "it lacks " + name : name + " is " + e) + "; expected " + dtype + "["
                        + length + "] (a state file of another architecture?)");
            }
        }

        private int intMeta(String key) {
            try {
                return Integer.parseInt(file.metadata().get(key));
            } catch (NumberFormatException e) {
                throw invalid("metadata '" + key + "' is missing or not an integer");
            }
        }

        private UserException invalid(String why) {
            return new UserException("checkpoint " + dir + ": " + STATE_FILE + " is not a valid training state: " + why);
        }
    }

    private static void requireFinite(Path file, String what, float[] values) {
        for (float x : values) {
            if (!Float.isFinite(x)) {
                throw new UserException("checkpoint " + file + " holds non-finite " + what + " (ebm4j never saves"
                        + " those: the file is damaged); use another checkpoint");
            }
        }
    }

    /** The newest complete checkpoint folder under {@code checkpointsDir} (highest step), or null. */
    public static Path newest(Path checkpointsDir) {
        List<Path> all = listComplete(checkpointsDir);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** The global batch a checkpoint folder's name records ({@code step-000000042} is 42), or -1. */
    public static long step(Path checkpointDir) {
        var m = STEP.matcher(String.valueOf(checkpointDir.getFileName()));
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Deletes all but the newest {@code keep} complete checkpoint folders. Only the files a
     * checkpoint consists of are deleted (the model file first, so a folder cut short by a crash
     * no longer counts as complete); a folder is removed once it is empty.
     */
    public static void prune(Path checkpointsDir, int keep) throws IOException {
        List<Path> all = listComplete(checkpointsDir);
        for (int i = 0; i < all.size() - keep; i++) {
            deleteFiles(all.get(i));
        }
    }

    /**
     * Deletes a checkpoint folder's own files (model, state, their temporary files) and the
     * folder itself when nothing else is left in it.
     *
     * @return the files and folders deleted
     */
    public static int deleteFiles(Path dir) throws IOException {
        int removed = 0;
        removed += Files.deleteIfExists(dir.resolve(MODEL_FILE)) ? 1 : 0;
        removed += Files.deleteIfExists(dir.resolve(STATE_FILE)) ? 1 : 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (ebm4j.TempFiles.isTemporary(f)) {
                    removed += Files.deleteIfExists(f) ? 1 : 0;
                }
            }
        }
        try (Stream<Path> rest = Files.list(dir)) {
            if (rest.findAny().isEmpty()) {
                removed += Files.deleteIfExists(dir) ? 1 : 0;
            }
        }
        return removed;
    }

    /** Folders named step-N, holding a model file, in step order. */
    private static List<Path> listComplete(Path checkpointsDir) {
        if (!Files.isDirectory(checkpointsDir)) {
            return new ArrayList<>();
        }
        try (Stream<Path> s = Files.list(checkpointsDir)) {
            return new ArrayList<>(s.filter(p -> step(p) >= 0 && Files.isRegularFile(p.resolve(MODEL_FILE)))
                    .sorted(Comparator.comparingLong(Checkpoint::step).thenComparing(Path::toString))
                    .toList());
        } catch (IOException e) {
            throw new UserException("cannot list checkpoints in " + checkpointsDir + ": " + e.getMessage());
        }
    }

    /** The checkpoint folder a path names: a checkpoint folder, its model file, or a run folder's newest. */
    public static Path resolve(Path path) {
        if (Files.isRegularFile(path) && path.getFileName().toString().equals(MODEL_FILE)) {
            return path.toAbsolutePath().getParent();
        }
        if (Files.isRegularFile(path)) {
            SafeTensors.open(path).close(); // a bare safetensors file of another name: say what is wrong with it
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

    /**
     * The model a checkpoint holds: its kind from the config, the input shape and classes from the
     * metadata. Checkpoints written before the metadata had them carry only the MLP's widths; they
     * were all MNIST-shaped.
     */
    private static ModelSpec spec(Path dir, Map<String, String> meta, TrainConfig config) {
        ModelSpec spec;
        try {
            if (meta.containsKey("input_shape")) {
                spec = new ModelSpec(config.model(), parseShape(meta.get("input_shape")),
                        bounded(meta.get("classes"), MAX_CLASSES), config.hiddenDims());
            } else {
                int[] widths = parseWidths(meta.get("widths"));
                int inputs = widths[0];
                ImageShape shape = inputs == ImageShape.MNIST.pixels() ? ImageShape.MNIST : new ImageShape(1, inputs, 1);
                List<Integer> hidden = new ArrayList<>();
                for (int i = 1; i < widths.length - 1; i++) {
                    hidden.add(widths[i]);
                }
                spec = new ModelSpec(config.model(), shape, widths[widths.length - 1], hidden);
            }
        } catch (IllegalArgumentException e) {
            throw new UserException("checkpoint " + dir + " has no valid model shape in its metadata ("
                    + e.getMessage() + ")");
        }
        String widths = meta.get("widths");
        if (widths != null && spec.kind().equals(EnergyNet.TYPE.name())
                && !widths.equals(join(EnergyNet.layout(spec).widths()))) {
            throw new UserException("checkpoint " + dir + ": its metadata disagree (widths " + widths + ", but input_shape, "
                    + "classes and hidden_dims give " + join(EnergyNet.layout(spec).widths()) + ")");
        }
        return spec;
    }

    private static ImageShape parseShape(String text) {
        String[] p = String.valueOf(text).split("x", -1);
        if (p.length < 2 || p.length > 3) {
            throw new IllegalArgumentException("input_shape '" + text + "'");
        }
        int h = bounded(p[0], ImageShape.MAX_PIXELS), w = bounded(p[1], ImageShape.MAX_PIXELS);
        int c = p.length == 3 ? bounded(p[2], 3) : 1;
        if ((long) h * w * c > ImageShape.MAX_PIXELS) {
            throw new IllegalArgumentException("input_shape '" + text + "' has more than " + ImageShape.MAX_PIXELS
                    + " values");
        }
        return new ImageShape(h, w, c);
    }

    private static int[] parseWidths(String widths) {
        if (widths == null) {
            throw new IllegalArgumentException("neither input_shape nor widths");
        }
        String[] parts = widths.split(",", -1);
        if (parts.length < 2 || parts.length > 18) {
            throw new IllegalArgumentException("widths '" + widths + "'");
        }
        int[] w = new int[parts.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = bounded(parts[i].trim(), i == 0 ? ImageShape.MAX_PIXELS : MAX_WIDTH);
        }
        return w;
    }

    /** An integer in [1, max]; IllegalArgumentException naming the text otherwise. */
    private static int bounded(String text, int max) {
        try {
            int v = Integer.parseInt(String.valueOf(text).trim());
            if (v >= 1 && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + text + "' is not an integer in [1, " + max + "]");
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
