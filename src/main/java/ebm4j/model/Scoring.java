package ebm4j.model;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;

/**
 * Host-side views of the network's outputs for evaluation: scores (and features) for many images
 * computed in chunks of the network's capacity, and the per-row quantities derived from them (energy,
 * softmax confidence, prediction). Evaluation is not a hot path, so the math here runs in double
 * on the host and stays simple.
 */
public final class Scoring {
    private Scoring() {}

    /** scores (count, classes) for images (count, inputs). */
    public static float[] scores(EnergyModel net, float[] images, int count) {
        return inChunks(net, images, count, net.outputs(), net::forward);
    }

    /** features (count, featureWidth) for images (count, inputs): see {@link EnergyModel#features}. */
    public static float[] features(EnergyModel net, float[] images, int count) {
        return inChunks(net, images, count, net.featureWidth(), net::features);
    }

    /** One pass of the model that leaves {@code width} values per row in the buffer it returns. */
    private interface Pass {
        Buf run(Buf x, int rows);
    }

    /** Runs {@code pass} over the images in chunks of the model's capacity; (count, width) on the host. */
    private static float[] inChunks(EnergyModel net, float[] images, int count, int width, Pass pass) {
        Backend b = net.backend();
        int inputs = net.inputs();
        float[] out = new float[Math.multiplyExact(count, width)];
        int chunk = net.capacity();
        try (Buf x = b.alloc((long) chunk * inputs)) {
            for (int start = 0; start < count; start += chunk) {
                int rows = Math.min(chunk, count - start);
                b.upload(x, 0, images, start * inputs, rows * inputs);
                Buf result = pass.run(x, rows);
                b.download(out, start * width, result, 0, rows * width);
            }
        }
        return out;
    }

    /** log sum_j exp(s[row, j]), stable. */
    public static double logSumExp(float[] scores, int row, int classes) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            max = Math.max(max, scores[row * classes + j]);
        }
        double sum = 0;
        for (int j = 0; j < classes; j++) {
            sum += Math.exp(scores[row * classes + j] - max);
        }
        return max + Math.log(sum);
    }

    /** Index of the first maximum score of a row. */
    public static int argmax(float[] scores, int row, int classes) {
        int best = 0;
        for (int j = 1; j < classes; j++) {
            if (scores[row * classes + j] > scores[row * classes + best]) {
                best = j;
            }
        }
        return best;
    }

    /** Largest softmax probability of a row. */
    public static double maxSoftmax(float[] scores, int row, int classes) {
        double lse = logSumExp(scores, row, classes);
        return Math.exp(scores[row * classes + argmax(scores, row, classes)] - lse);
    }

    /** Energies sign * LSE(s) of every row. */
    public static double[] energies(float[] scores, int classes, float sign) {
        double[] e = new double[scores.length / classes];
        for (int r = 0; r < e.length; r++) {
            e[r] = sign * logSumExp(scores, r, classes);
        }
        return e;
    }
}
