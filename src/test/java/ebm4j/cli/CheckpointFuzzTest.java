package ebm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ebm4j.UserException;
import ebm4j.config.ConfigLoader;
import ebm4j.data.ImageShape;
import ebm4j.model.Checkpoint;
import ebm4j.model.ModelSpec;
import ebm4j.model.Models;
import ebm4j.model.SafeTensorsFiles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes every path that reads a checkpoint with mutated copies of a real one (issue 14): header
 * length, header bytes, tensor shapes, offsets and dtypes, tensors removed, renamed and added,
 * metadata values, truncation, appended bytes, sparse gigabyte files, the state file of another
 * checkpoint, consistent checkpoints of other models, and pairs of these. Every case goes
 * through {@link Checkpoint#load}, which must succeed or throw {@link UserException}; a share of
 * them also through {@code sample}, {@code eval} and {@code train --resume}, which must exit 0
 * or 2 and never report an internal error. Anything else (an internal error, an
 * OutOfMemoryError, an overflow) fails the test with the case that caused it. Seeded, so a
 * failure repeats.
 */
class CheckpointFuzzTest {
    private static final long SEED = 20261201L;
    private static final int CASES = 3000;
    /**
     * Every case runs {@link Checkpoint#load}; every n-th case that loaded, and every m-th of all,
     * also runs sample (n, m = 6, 50), and eval and train --resume (30, 300): the commands cost
     * ~100 ms each, the loader ~1 ms.
     */
    private static final int SAMPLE_LOADED = 6, SAMPLE_ALL = 50, EVAL_LOADED = 30, EVAL_ALL = 300;

    @TempDir
    Path dir;
    private Path data;
    private final List<Path> others = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final Map<String, int[]> tally = new TreeMap<>(); // kind -> {cases, loaded, refused}
    private int commands;
    private long loadNanos, commandNanos;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void mutatedCheckpointsAreLoadedOrRefusedNeverAnInternalError() throws Exception {
        data = TinyData.write(dir.resolve("data"), 60, 20);
        CliTest.Run base = CliTest.run(TinyData.train(data, dir, "base"));
        assertEquals(0, base.code(), base.err());
        Path checkpoints = dir.resolve("base").resolve("checkpoints");
        Path original = checkpoints.resolve("step-000000008"); // mid-run: epoch 2, batch 2
        try (Stream<Path> s = Files.list(checkpoints)) {
            s.filter(p -> !p.equals(original)).sorted().forEach(others::add);
        }
        Path consistent = otherModels();

        SplittableRandom random = new SplittableRandom(SEED);
        long start = System.nanoTime();
        Path ck = Files.createDirectories(dir.resolve("case"));
        for (int i = 0; i < CASES; i++) {
            Mutation m = MUTATIONS[random.nextInt(MUTATIONS.length)];
            String what;
            if (m == Mutation.OTHER_MODEL) {
                int k = random.nextInt(OTHER_SPECS.length);
                copy(consistent.resolve(Integer.toString(k)), ck);
                what = "a consistent checkpoint of " + OTHER_SPECS[k];
            } else {
                copy(original, ck);
                what = apply(m == Mutation.TWO ? SECOND[random.nextInt(SECOND.length)] : m, ck, random);
                if (m == Mutation.TWO) {
                    what += " + " + apply(SECOND[random.nextInt(SECOND.length)], ck, random);
                }
            }
            check(i, m.name().toLowerCase(), what, ck);
            if (failures.size() >= 10) {
                break;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        StringBuilder summary = new StringBuilder(String.format(java.util.Locale.ROOT, "checkpoint fuzz: %d cases"
                        + " (seed %d) in %.1f s (loading %.1f s, %d command runs %.1f s); per mutation (cases / loaded /"
                        + " refused):", CASES, SEED, seconds, loadNanos / 1e9, commands, commandNanos / 1e9));
        tally.forEach((k, v) -> summary.append(String.format(java.util.Locale.ROOT, " %s %d/%d/%d", k, v[0], v[1],
                v[2])));
        System.out.println(summary);
        assertTrue(failures.isEmpty(), failures.size() + " cases ended in an internal error:\n"
                + String.join("\n", failures));
        int loaded = tally.values().stream().mapToInt(v -> v[1]).sum();
        int refused = tally.values().stream().mapToInt(v -> v[2]).sum();
        // the fuzz proves something only if it reached both outcomes in numbers
        assertTrue(loaded > CASES / 20 && refused > CASES / 2, "loaded " + loaded + ", refused " + refused);
    }

    /** Runs one case through the loader and, for some, the commands; records anything but success or exit 2. */
    private void check(int i, String kind, String what, Path ck) {
        int[] t = tally.computeIfAbsent(kind, k -> new int[3]);
        t[0]++;
        String label = "case " + i + " (" + kind + ": " + what + ")";
        boolean loaded = false;
        long t0 = System.nanoTime();
        try {
            Checkpoint.load(ck);
            loaded = true;
            t[1]++;
        } catch (UserException e) {
            t[2]++;
            if (e.getMessage() == null || e.getMessage().contains("\n")) {
                failures.add(label + ": the message is not one line: " + e.getMessage());
            }
        } catch (Throwable e) { // OutOfMemoryError, ArithmeticException, IndexOutOfBounds...: all defects
            failures.add(label + ": " + e);
            return;
        } finally {
            loadNanos += System.nanoTime() - t0;
        }
        if ((loaded && i % SAMPLE_LOADED == 0) || i % SAMPLE_ALL == 0) {
            command(label, "sample", "--device", "cpu", "-c", ck.toString(), "-n", "2", "--steps", "1", "-o",
                    dir.resolve("s.png").toString());
        }
        if ((loaded && i % EVAL_LOADED == 0) || i % EVAL_ALL == 0) {
            command(label, "eval", "--device", "cpu", "-c", ck.toString(), "--ood", "none", "--samples", "10",
                    "--steps", "1", "--limit", "8");
            Path runs = dir.resolve("runs");
            command(label, "train", "--device", "cpu", "--resume", ck.toString(), "--out", runs.toString(), "--name",
                    "r" + i, "--max-batches", "9", "--checkpoint-every", "100", "--keep", "1");
            deleteTree(runs);
        }
    }

    private void command(String label, String... args) {
        commands++;
        CliTest.Run r;
        long t0 = System.nanoTime();
        try {
            r = CliTest.run(args);
        } catch (Throwable e) {
            failures.add(label + ": " + args[0] + " threw " + e);
            return;
        } finally {
            commandNanos += System.nanoTime() - t0;
        }
        if ((r.code() != 0 && r.code() != 2) || r.err().contains("internal error")) {
            failures.add(label + ": " + args[0] + " exited " + r.code() + ": " + r.err().strip());
        }
    }

    enum Mutation {
        HEADER_LENGTH, TRUNCATE, APPEND, HEADER_BYTE, DATA_VALUE, SHAPE, OFFSETS, DTYPE, TENSOR_SET, METADATA,
        HEADER_NOT_AN_OBJECT, OTHER_FILE, MISSING_FILE, SPARSE, TWO, OTHER_MODEL
    }

    /** Weighted: the header's fields get more cases than the blunt byte edits. */
    private static final Mutation[] MUTATIONS = weighted(true);
    /** What the second mutation of {@link Mutation#TWO} is drawn from: the edits of one file. */
    private static final Mutation[] SECOND = weighted(false);

    private static Mutation[] weighted(boolean all) {
        Map<Mutation, Integer> weights = new LinkedHashMap<>();
        weights.put(Mutation.HEADER_LENGTH, 2);
        weights.put(Mutation.TRUNCATE, 2);
        weights.put(Mutation.APPEND, 2);
        weights.put(Mutation.HEADER_BYTE, 3);
        weights.put(Mutation.DATA_VALUE, 3);
        weights.put(Mutation.SHAPE, 4);
        weights.put(Mutation.OFFSETS, 3);
        weights.put(Mutation.DTYPE, 2);
        weights.put(Mutation.TENSOR_SET, 3);
        weights.put(Mutation.METADATA, 8);
        weights.put(Mutation.HEADER_NOT_AN_OBJECT, 1);
        weights.put(Mutation.OTHER_FILE, 2);
        weights.put(Mutation.MISSING_FILE, 1);
        weights.put(Mutation.SPARSE, 1);
        if (all) {
            weights.put(Mutation.TWO, 3);
            weights.put(Mutation.OTHER_MODEL, 2);
        }
        List<Mutation> w = new ArrayList<>();
        weights.forEach((m, n) -> {
            for (int k = 0; k < n; k++) {
                w.add(m);
            }
        });
        return w.toArray(new Mutation[0]);
    }

    private String apply(Mutation m, Path ck, SplittableRandom r) throws IOException {
        Path file = ck.resolve(r.nextBoolean() ? Checkpoint.MODEL_FILE : Checkpoint.STATE_FILE);
        String name = file.getFileName().toString();
        if (!Files.exists(file)) {
            return "skipped: " + name + " is gone";
        }
        if (Files.size(file) > (64 << 20)) {
            return "skipped: " + name + " is a sparse giant";
        }
        byte[] bytes = Files.readAllBytes(file);
        long headerLen = bytes.length >= 8 ? ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong() : -1;
        switch (m) {
            case HEADER_LENGTH -> {
                long[] values = {0, 1, 7, headerLen - 1, headerLen + 1, headerLen + 8, 1L << 31, -1, Long.MAX_VALUE,
                    bytes.length, (1 << 20) + 1, r.nextLong()};
                long v = values[r.nextInt(values.length)];
                if (bytes.length >= 8) {
                    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
                }
                Files.write(file, bytes);
                return name + " header length " + v;
            }
            case TRUNCATE -> {
                int at = r.nextInt(Math.max(1, bytes.length));
                Files.write(file, java.util.Arrays.copyOf(bytes, at));
                return name + " truncated to " + at + " bytes";
            }
            case APPEND -> {
                int n = 1 + r.nextInt(64);
                byte[] out = java.util.Arrays.copyOf(bytes, bytes.length + n);
                for (int k = bytes.length; k < out.length; k++) {
                    out[k] = (byte) r.nextInt(256);
                }
                Files.write(file, out);
                return name + " with " + n + " bytes appended";
            }
            case HEADER_BYTE -> {
                int end = (int) Math.min(bytes.length, 8 + Math.max(0, Math.min(headerLen, bytes.length)));
                int at = 8 + r.nextInt(Math.max(1, end - 8));
                if (at < bytes.length) {
                    bytes[at] = (byte) (bytes[at] ^ (1 + r.nextInt(255)));
                }
                Files.write(file, bytes);
                return name + " header byte " + at + " changed";
            }
            case DATA_VALUE -> {
                int dataStart = (int) (8 + headerLen);
                int words = (bytes.length - dataStart) / 4;
                float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 1e38f, -1f, 3f};
                float v = specials[r.nextInt(specials.length)];
                int at = dataStart + 4 * r.nextInt(Math.max(1, words));
                if (at + 4 <= bytes.length) {
                    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, v);
                }
                Files.write(file, bytes);
                return name + " data word at " + at + " set to " + v;
            }
            case SPARSE -> {
                long size = r.nextBoolean() ? 3L << 29 : 3L << 30;
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                    f.setLength(size);
                }
                return name + " extended (sparse) to " + size + " bytes";
            }
            case OTHER_FILE -> {
                Path other = others.get(r.nextInt(others.size())).resolve(name);
                Files.copy(other, file, StandardCopyOption.REPLACE_EXISTING);
                return name + " replaced by " + other.getParent().getFileName() + "'s";
            }
            case MISSING_FILE -> {
                Files.delete(file);
                return name + " deleted";
            }
            case HEADER_NOT_AN_OBJECT -> {
                String[] texts = {"[]", "1", "\"x\"", "null", "{", "{\"a\":", "[".repeat(200) + "]".repeat(200),
                    "{\"__metadata__\": [1, 2]}", "{\"x\": 1}", "{}"};
                String t = texts[r.nextInt(texts.length)];
                SafeTensorsFiles.write(file, t, java.util.Arrays.copyOfRange(bytes, (int) Math.min(bytes.length,
                        8 + Math.max(0, headerLen)), bytes.length));
                return name + " header " + (t.length() > 20 ? t.substring(0, 20) + "..." : t);
            }
            default -> {
                return jsonMutation(m, file, r);
            }
        }
    }

    /** Mutations of the parsed header, written back with a consistent header length. */
    private String jsonMutation(Mutation m, Path file, SplittableRandom r) throws IOException {
        String name = file.getFileName().toString();
        SafeTensorsFiles f;
        try {
            f = SafeTensorsFiles.read(file);
        } catch (IOException | RuntimeException e) {
            return "skipped: " + name + " has no parseable header";
        }
        List<String> tensors = new ArrayList<>();
        f.header.fieldNames().forEachRemaining(n -> {
            if (!n.equals("__metadata__")) {
                tensors.add(n);
            }
        });
        if (tensors.isEmpty()) {
            return "skipped: no tensors";
        }
        String t = tensors.get(r.nextInt(tensors.size()));
        ObjectNode entry = (ObjectNode) f.header.get(t);
        String what;
        switch (m) {
            case SHAPE -> {
                ArrayNode shape = (ArrayNode) entry.get("shape");
                int rank = shape.size();
                int kind = r.nextInt(5);
                if (kind == 0 || rank == 0) {
                    shape.add(1 + r.nextInt(3));
                    what = "a dimension added";
                } else if (kind == 1) {
                    shape.remove(rank - 1);
                    what = "a dimension removed";
                } else if (kind == 2) {
                    JsonNode[] odd = {JsonNodeFactory.instance.numberNode(1.5), JsonNodeFactory.instance.textNode("7"),
                        JsonNodeFactory.instance.nullNode(), JsonNodeFactory.instance.booleanNode(true)};
                    shape.set(r.nextInt(rank), odd[r.nextInt(odd.length)]);
                    what = "a dimension that is not an integer";
                } else {
                    int d = r.nextInt(rank);
                    long old = shape.get(d).asLong();
                    long[] values = {0, 1, 2, -1, old - 1, old + 1, 2 * old, Integer.MAX_VALUE, (1L << 31) + 1, 1L << 40,
                        1L << 62, Long.MAX_VALUE};
                    long v = values[r.nextInt(values.length)];
                    shape.set(d, JsonNodeFactory.instance.numberNode(v));
                    if (kind == 4) { // keep the byte range consistent, so the shape itself is what is judged
                        long begin = entry.get("data_offsets").get(0).asLong();
                        long elements = 1;
                        try {
                            for (JsonNode n : shape) {
                                elements = Math.multiplyExact(elements, n.asLong());
                            }
                            ((ArrayNode) entry.get("data_offsets")).set(1,
                                    JsonNodeFactory.instance.numberNode(Math.addExact(begin, Math.multiplyExact(4, elements))));
                        } catch (ArithmeticException e) {
                            // an overflowing shape: the old range stays
                        }
                    }
                    what = "dimension " + d + " " + old + " -> " + v + (kind == 4 ? " (range adjusted)" : "");
                }
            }
            case OFFSETS -> {
                ArrayNode range = (ArrayNode) entry.get("data_offsets");
                long begin = range.get(0).asLong(), end = range.get(1).asLong();
                long[] values = {0, -8, begin + 4, end + 4, end - 4, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};
                int k = r.nextInt(values.length + 2);
                if (k == values.length) {
                    range.set(0, JsonNodeFactory.instance.numberNode(end));
                    range.set(1, JsonNodeFactory.instance.numberNode(begin));
                    what = "offsets swapped";
                } else if (k == values.length + 1) {
                    entry.remove("data_offsets");
                    what = "offsets removed";
                } else {
                    int which = r.nextInt(2);
                    range.set(which, JsonNodeFactory.instance.numberNode(values[k]));
                    what = (which == 0 ? "begin" : "end") + " -> " + values[k];
                }
            }
            case DTYPE -> {
                String[] values = {"F16", "BF16", "F64", "I64", "U8", "F32", "I32", ""};
                int k = r.nextInt(values.length + 2);
                if (k == values.length) {
                    entry.remove("dtype");
                    what = "dtype removed";
                } else if (k == values.length + 1) {
                    entry.put("dtype", 7);
                    what = "dtype 7";
                } else {
                    entry.put("dtype", values[k]);
                    what = "dtype " + values[k];
                }
            }
            case TENSOR_SET -> {
                int k = r.nextInt(4);
                if (k == 0) {
                    f.header.remove(t);
                    what = "removed";
                } else if (k == 1) {
                    f.header.remove(t);
                    f.header.set(t + ".x", entry);
                    what = "renamed";
                } else if (k == 2) {
                    f.header.set("copy." + t, entry.deepCopy());
                    what = "duplicated (same bytes)";
                } else {
                    long[][] shapes = {{1L << 40, 1L << 40}, {2147483647L, 2147483649L}, {4}, {0}, {3, 0}};
                    long[] shape = shapes[r.nextInt(shapes.length)];
                    ObjectNode extra = f.header.putObject("extra");
                    extra.put("dtype", "F32");
                    ArrayNode s = extra.putArray("shape");
                    long elements = 1;
                    for (long d : shape) {
                        s.add(d);
                        elements = elements * d;
                    }
                    long n = Math.max(0, Math.min(elements, 16));
                    extra.putArray("data_offsets").add(f.data.length).add(f.data.length + 4 * n);
                    SafeTensorsFiles.write(file, f.header.toString(), java.util.Arrays.copyOf(f.data,
                            (int) (f.data.length + 4 * n)));
                    return name + " extra tensor " + java.util.Arrays.toString(shape);
                }
                what = (k < 2 ? "tensor " + t + " " : t + " ") + what;
            }
            case METADATA -> {
                what = metadata(f.metadata(), r);
            }
            default -> throw new IllegalStateException(m.name());
        }
        f.write(file);
        return name + " " + (m == Mutation.SHAPE || m == Mutation.OFFSETS || m == Mutation.DTYPE ? t + " " : "") + what;
    }

    private static final String[] KEYS = {"widths", "input_shape", "classes", "format", "checkpoint_id", "epoch",
        "batch_in_epoch", "config.hidden_dims", "config.replay_size", "config.batch_size", "config.epochs",
        "config.model", "config.dataset", "config.lr", "config.train_subset", "config.log_file", "config.sampler",
        "config.langevin_steps", "config.objective", "config.seed"};
    private static final String[] VALUES = {"", "-3", "0", "1", "2", "3", "5", "7", "12", "64", "2147483647",
        "-2147483648", "2000000000", "1e9", "NaN", "banana", "784", "784,40000,40000,10", "784,60000,60000,10",
        "64,8,8,4", "100,10", "8x8", "28x28", "0x8", "100000x100000", "8x8x3", "65536,65536", "8,8", "8,9", "mlp",
        "classifier", "annealed", "ebm4j-1", "ebm4j-2", "00000000-0000-0000-0000-000000000000"};
    /** log_file values: never a path, which would write outside the test's folder. */
    private static final String[] LOG_NAMES = {"metrics.jsonl", "checkpoints", ".lock", "x.log", "", "..", "figures"};

    private static String metadata(ObjectNode meta, SplittableRandom r) {
        int k = r.nextInt(12);
        String key = KEYS[r.nextInt(KEYS.length)];
        if (k == 0) {
            meta.remove(key);
            return "metadata " + key + " removed";
        }
        if (k == 1) {
            meta.put(key, 5);
            return "metadata " + key + " a number";
        }
        if (k == 2) {
            meta.putObject(key).put("a", "b");
            return "metadata " + key + " an object";
        }
        if (k == 3) {
            meta.put("config.unknown_key", "1");
            return "an unknown config key";
        }
        String value = key.equals("config.log_file") ? LOG_NAMES[r.nextInt(LOG_NAMES.length)]
                : VALUES[r.nextInt(VALUES.length)];
        meta.put(key, value);
        return "metadata " + key + "=" + value;
    }

    /** Consistent checkpoints of models that do not fit the data: other input shapes and class counts. */
    private static final ModelSpec[] OTHER_SPECS = {
        new ModelSpec("mlp", new ImageShape(8, 8, 1), 3, List.of(8, 8)),
        new ModelSpec("mlp", new ImageShape(10, 10, 1), 4, List.of(8, 8)),
        new ModelSpec("mlp", new ImageShape(1, 100, 1), 10, List.of(8)),
        new ModelSpec("mlp", ImageShape.MNIST, 5, List.of(8, 8)),
        new ModelSpec("mlp", new ImageShape(8, 8, 1), 4, List.of(16))};

    private Path otherModels() throws IOException {
        Path root = dir.resolve("other-models");
        Checkpoint.Loaded original = Checkpoint.load(dir.resolve("base"));
        for (int i = 0; i < OTHER_SPECS.length; i++) {
            ModelSpec spec = OTHER_SPECS[i];
            var config = ConfigLoader.with(original.config(), Map.of("hidden_dims",
                    String.join(",", spec.hidden().stream().map(String::valueOf).toList())), "the fuzz test");
            int n = (int) Models.type("mlp").parameterCount(spec);
            float[] pool = new float[20 * spec.inputs()];
            Checkpoint.save(root.resolve(Integer.toString(i)), spec, Models.type("mlp").initialParameters(spec, i),
                    config, new Checkpoint.TrainState(new float[n], new float[n], original.state().counters(),
                            original.state().epoch(), original.state().batchInEpoch(), pool));
        }
        return root;
    }

    private static void copy(Path from, Path to) throws IOException {
        for (String f : new String[] {Checkpoint.MODEL_FILE, Checkpoint.STATE_FILE}) {
            Files.copy(from.resolve(f), to.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
