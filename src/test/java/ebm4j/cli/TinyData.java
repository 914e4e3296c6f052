package ebm4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A tiny labelled data set as IDX files (8x8 grey images in 4 classes, each class a fixed pattern
 * plus noise) for quick command-line tests that need real runs but not MNIST: a run of a few
 * dozen batches takes a second.
 */
final class TinyData {
    static final int SIDE = 8, CLASSES = 4;

    private TinyData() {}

    /**
     * {@code train} on {@code data} (60 training images: 6 batches of 10 per epoch), 2 epochs of
     * an 8,8 MLP with a 20-row pool, a checkpoint every 2 batches, all kept; then {@code extra}.
     */
    static String[] train(Path data, Path out, String name, String... extra) {
        java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of("train", "--device", "cpu",
                "--dataset", data.toString(), "--out", out.toString(), "--name", name));
        String[][] defaults = {{"--epochs", "2"}, {"--batch_size", "10"}, {"--hidden", "8,8"},
            {"--langevin_steps", "2"}, {"--replay-size", "20"}, {"--checkpoint-every", "2"}, {"--keep", "100"},
            {"--log-every", "1"}, {"--figure-every", "1"}};
        java.util.List<String> given = java.util.List.of(extra);
        for (String[] d : defaults) {
            if (!given.contains(d[0])) { // an option may be given once only
                a.addAll(java.util.List.of(d));
            }
        }
        a.addAll(given);
        return a.toArray(new String[0]);
    }

    /** {@code args} followed by {@code extra}. */
    static String[] with(String[] args, String... extra) {
        String[] out = java.util.Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, out, args.length, extra.length);
        return out;
    }

    /** Writes train-* and t10k-* files with {@code train} and {@code test} images into {@code dir}. */
    static Path write(Path dir, int train, int test) {
        try {
            Files.createDirectories(dir);
            split(dir, "train", train, 1);
            split(dir, "t10k", test, 2);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void split(Path dir, String prefix, int n, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        int pixels = SIDE * SIDE;
        ByteBuffer images = ByteBuffer.allocate(16 + n * pixels).putInt(0x803).putInt(n).putInt(SIDE).putInt(SIDE);
        ByteBuffer labels = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) {
            int label = i % CLASSES;
            labels.put((byte) label);
            for (int p = 0; p < pixels; p++) {
                boolean on = (p * (label + 3)) % 7 < 3;
                images.put((byte) Math.max(0, Math.min(255, (on ? 200 : 30) + r.nextInt(-30, 31))));
            }
        }
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), images.array());
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), labels.array());
    }
}
