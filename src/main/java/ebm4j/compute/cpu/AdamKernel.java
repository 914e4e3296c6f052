package ebm4j.compute.cpu;

import ebm4j.compute.AdamSpec;
import java.nio.FloatBuffer;

/**
 * Adam over an index range. The per-step scalars are computed once per call, in double where
 * they involve powers, then rounded to float; the per-element update is float arithmetic in the
 * exact order below, which the CUDA kernel copies (it builds without fused multiply-add, and
 * IEEE division and sqrtf are correctly rounded on both sides), so both backends agree bit for bit:
 * <pre>
 *   m    = beta1 * m + omb1 * g                  omb1 = 1f - beta1   (float)
 *   v    = beta2 * v + omb2 * (g * g)            omb2 = 1f - beta2   (float)
 *   mhat = m / bc1                               bc1 = (float) (1 - beta1^t)   (double pow)
 *   vhat = v / bc2                               bc2 = (float) (1 - beta2^t)
 *   p    = p - lrT * mhat / (sqrt(vhat) + eps)   i.e. ((lrT * mhat) / (sqrt(vhat) + eps))
 * </pre>
 * with {@code lrT = spec.lrAt(t)} (warm-up and decay, see {@link AdamSpec}) and {@code sqrt} the
 * correctly rounded float square root.
 */
final class AdamKernel {
    private final float beta1;
    private final float beta2;
    private final float omb1;
    private final float omb2;
    private final float bc1;
    private final float bc2;
    private final float lrT;
    private final float eps;

    /** The scalars for step {@code t} (1-based). */
    AdamKernel(AdamSpec spec, long t) {
        beta1 = spec.beta1();
        beta2 = spec.beta2();
        omb1 = 1f - beta1;
        omb2 = 1f - beta2;
        bc1 = (float) (1.0 - Math.pow(beta1, t));
        bc2 = (float) (1.0 - Math.pow(beta2, t));
        lrT = spec.lrAt(t);
        eps = spec.eps();
    }

    /** Updates params, m and v at [from, to) from grads. */
    void step(FloatBuffer p, int pb, FloatBuffer g, int gb, FloatBuffer m, int mb, FloatBuffer v, int vb,
              int from, int to) {
        for (int i = from; i < to; i++) {
            float gi = g.get(gb + i);
            float mi = beta1 * m.get(mb + i) + omb1 * gi;
            float vi = beta2 * v.get(vb + i) + omb2 * (gi * gi);
            m.put(mb + i, mi);
            v.put(vb + i, vi);
            float mhat = mi / bc1;
            float vhat = vi / bc2;
            p.put(pb + i, p.get(pb + i) - lrT * mhat / ((float) Math.sqrt(vhat) + eps));
        }
    }
}
