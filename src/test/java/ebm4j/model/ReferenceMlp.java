package ebm4j.model;

/**
 * A double-precision host forward pass of the EnergyNet MLP over the same flat parameter layout,
 * used as an independent oracle: finite differences of its loss check the backend's hand-written
 * backward pass.
 */
final class ReferenceMlp {
    private final ParameterLayout layout;

    ReferenceMlp(ParameterLayout layout) {
        this.layout = layout;
    }

    /** scores (rows, classes) for x (rows, inputs) with parameters p. */
    double[] forward(double[] p, double[] x, int rows) {
        double[] h = x;
        for (int l = 0; l < layout.layers(); l++) {
            int in = layout.in(l), out = layout.out(l);
            long w = layout.weightOffset(l), b = layout.biasOffset(l);
            double[] next = new double[rows * out];
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < out; o++) {
                    double s = p[(int) (b + o)];
                    for (int i = 0; i < in; i++) {
                        s += h[r * in + i] * p[(int) (w + (long) o * in + i)];
                    }
                    boolean hidden = l < layout.layers() - 1;
                    next[r * out + o] = hidden ? (s > 0 ? s : Math.expm1(s)) : s;
                }
            }
            h = next;
        }
        return h;
    }

    static double lse(double[] s, int row, int classes) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            max = Math.max(max, s[row * classes + j]);
        }
        double sum = 0;
        for (int j = 0; j < classes; j++) {
            sum += Math.exp(s[row * classes + j] - max);
        }
        return max + Math.log(sum);
    }

    /**
     * The hybrid loss on a stacked batch x = [real; sampled] (2B rows):
     * CE(real) + gen * (mean E_real - mean E_sample) + l2 * (mean E_real^2 + mean E_sample^2), E = sign * LSE.
     */
    double hybridLoss(double[] p, double[] x, int[] labels, int batch, double sign, double gen, double l2) {
        int classes = layout.outputs();
        double[] s = forward(p, x, 2 * batch);
        double ce = 0, er = 0, es = 0, er2 = 0, es2 = 0;
        for (int r = 0; r < batch; r++) {
            double lse = lse(s, r, classes);
            ce += lse - s[r * classes + labels[r]];
            er += sign * lse;
            er2 += lse * lse;
        }
        for (int r = batch; r < 2 * batch; r++) {
            double lse = lse(s, r, classes);
            es += sign * lse;
            es2 += lse * lse;
        }
        return ce / batch + gen * (er - es) / batch + l2 * (er2 + es2) / batch;
    }

    /** Sum over rows of E(x_r) = sign * LSE(net(x_r)). */
    double energySum(double[] p, double[] x, int rows, double sign) {
        double[] s = forward(p, x, rows);
        double e = 0;
        for (int r = 0; r < rows; r++) {
            e += sign * lse(s, r, layout.outputs());
        }
        return e;
    }
}
