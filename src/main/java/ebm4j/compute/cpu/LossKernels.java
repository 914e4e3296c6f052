package ebm4j.compute.cpu;

import ebm4j.compute.HybridLossSpec;
import ebm4j.compute.LossStats;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * Energies, softmax gradients and the hybrid loss over score rows. Row arithmetic is in double
 * (it is 10 classes wide, so the cost is nil) with a max-shifted LogSumExp, so large scores do
 * not overflow; results are rounded to float once. Gradients pass through
 * {@link ElementwiseKernels#flush}: softmax probabilities of far-off classes underflow into the
 * subnormal range, and they feed the next backward GEMM.
 */
final class LossKernels {
    private LossKernels() {}

    /** One row's max and the sum of exp(s - max): LSE = max + log(sum), p_j = exp(s_j - max) / sum. */
    private static double rowMax(FloatBuffer s, int row, int classes) {
        double max = s.get(row);
        for (int j = 1; j < classes; j++) {
            max = Math.max(max, s.get(row + j));
        }
        return max;
    }

    private static double sumExp(FloatBuffer s, int row, int classes, double max) {
        double sum = 0;
        for (int j = 0; j < classes; j++) {
            sum += Math.exp(s.get(row + j) - max);
        }
        return sum;
    }

    /**
     * For rows [from, to) of scores:(rows,classes): dScores = sign * softmax(s) and, when
     * {@code energy} is non-null, energy[r] = sign * LSE(s_r).
     */
    static void energyGrad(FloatBuffer d, int db, FloatBuffer energy, int eb, FloatBuffer s, int sb,
                           int classes, float sign, int from, int to) {
        for (int r = from; r < to; r++) {
            int row = sb + r * classes;
            double max = rowMax(s, row, classes);
            double sum = sumExp(s, row, classes, max);
            for (int j = 0; j < classes; j++) {
                double p = Math.exp(s.get(row + j) - max) / sum;
                d.put(db + r * classes + j, ElementwiseKernels.flush((float) (sign * p)));
            }
            if (energy != null) {
                energy.put(eb + r, (float) (sign * (max + Math.log(sum))));
            }
        }
    }

    /**
     * The hybrid loss on scores:(2B,C), rows [0,B) real with labels, [B,2B) sampled, E = sign*LSE,
     * p = softmax:
     * <pre>
     *   L = CE_mean(real) + gen * (mean E_real - mean E_sample) + l2 * (mean E_real^2 + mean E_sample^2)
     *   dL/ds_real   = ((p - onehot(y)) + sign * p * (gen + 2 * l2 * E_r)) / B
     *   dL/ds_sample = sign * p * (-gen + 2 * l2 * E_s) / B
     * </pre>
     * With {@link HybridLossSpec#energyNeutralCe} a real row's {@code p - onehot(y)} becomes
     * {@code p - onehot(y) - c p} with {@code c = (p.p - p_y) / p.p}, so it is orthogonal to p.
     * Statistics are summed in double in row order (deterministic) and added into stats
     * (see {@link LossStats}); a real row is correct when its first maximal score is its label.
     */
    static void hybridLoss(FloatBuffer d, int db, FloatBuffer stats, int tb, FloatBuffer s, int sb,
                           IntBuffer labels, int lb, int batch, int classes, HybridLossSpec spec) {
        double sign = spec.energySign();
        double gen = spec.genWeight();
        double l2 = spec.l2Weight();
        double invB = 1.0 / batch;
        double sumCe = 0, sumEr = 0, sumEr2 = 0, sumEs = 0, sumEs2 = 0;
        int correct = 0;
        for (int r = 0; r < batch; r++) {
            int label = labels.get(lb + r);
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("hybridLossGrad: label " + label + " of row " + r
                        + " is outside [0, " + classes + ")");
            }
        }
        for (int r = 0; r < 2 * batch; r++) {
            int row = sb + r * classes;
            boolean real = r < batch;
            int label = real ? labels.get(lb + r) : -1;
            double max = rowMax(s, row, classes);
            double sum = sumExp(s, row, classes, max);
            double lse = max + Math.log(sum);
            double e = sign * lse;
            double energyFactor = real ? gen + 2 * l2 * e : -gen + 2 * l2 * e;
            double along = real && spec.energyNeutralCe() ? ceAlongP(s, row, classes, max, sum, label) : 0;
            for (int j = 0; j < classes; j++) {
                double p = Math.exp(s.get(row + j) - max) / sum;
                double g = sign * p * energyFactor;
                if (real) {
                    g += p - (j == label ? 1 : 0) - along * p;
                }
                d.put(db + r * classes + j, ElementwiseKernels.flush((float) (g * invB)));
            }
            if (real) {
                sumCe += lse - s.get(row + label);
                sumEr += e;
                sumEr2 += e * e;
                if (argmax(s, row, classes) == label) {
                    correct++;
                }
            } else {
                sumEs += e;
                sumEs2 += e * e;
            }
        }
        double ce = sumCe * invB;
        double meanEr = sumEr * invB;
        double meanEs = sumEs * invB;
        double genTerm = gen * (meanEr - meanEs) + l2 * (sumEr2 * invB + sumEs2 * invB);
        add(stats, tb + LossStats.LOSS, ce + genTerm);
        add(stats, tb + LossStats.CLF, ce);
        add(stats, tb + LossStats.GEN, genTerm);
        add(stats, tb + LossStats.E_REAL, meanEr);
        add(stats, tb + LossStats.E_SAMPLE, meanEs);
        add(stats, tb + LossStats.CORRECT, correct);
        add(stats, tb + LossStats.ROWS, batch);
        add(stats, tb + LossStats.BATCHES, 1);
    }

    /**
     * The cross-entropy gradient's coefficient along p, {@code c = (p - onehot(y)).p / p.p
     * = (p.p - p_y) / p.p}, with p.p summed in class order.
     */
    private static double ceAlongP(FloatBuffer s, int row, int classes, double max, double sum, int label) {
        double pp = 0, py = 0;
        for (int j = 0; j < classes; j++) {
            double p = Math.exp(s.get(row + j) - max) / sum;
            pp += p * p;
            if (j == label) {
                py = p;
            }
        }
        return (pp - py) / pp;
    }

    /** Index of the first maximal score (ties go to the lower class). */
    private static int argmax(FloatBuffer s, int row, int classes) {
        int best = 0;
        for (int j = 1; j < classes; j++) {
            if (s.get(row + j) > s.get(row + best)) {
                best = j;
            }
        }
        return best;
    }

    private static void add(FloatBuffer stats, int index, double value) {
        stats.put(index, (float) (stats.get(index) + value));
    }
}
