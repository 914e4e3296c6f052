package ebm4j.compute.cpu;

import ebm4j.compute.AdamSpec;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

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
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final int L = FS.length();

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

    /**
     * Updates params, m and v at [from, to) from grads, {@code work.length / 4} elements at a time
     * copied into the four quarters of {@code work} (bulk copies, then {@link #L} lanes per
     * operation; each lane computes exactly the scalar expression above, so the bits are the same).
     */
    void step(FloatBuffer p, int pb, FloatBuffer g, int gb, FloatBuffer m, int mb, FloatBuffer v, int vb,
              int from, int to, float[] work) {
        int chunk = work.length / 4;
        int po = 0, go = chunk, mo = 2 * chunk, vo = 3 * chunk;
        for (int start = from; start < to; start += chunk) {
            int n = Math.min(chunk, to - start);
            p.get(pb + start, work, po, n);
            g.get(gb + start, work, go, n);
            m.get(mb + start, work, mo, n);
            v.get(vb + start, work, vo, n);
            int i = 0;
            for (int end = n - L; i <= end; i += L) {
                FloatVector gi = FloatVector.fromArray(FS, work, go + i);
                FloatVector mi = FloatVector.fromArray(FS, work, mo + i).mul(beta1).add(gi.mul(omb1));
                FloatVector vi = FloatVector.fromArray(FS, work, vo + i).mul(beta2).add(gi.mul(gi).mul(omb2));
                mi.intoArray(work, mo + i);
                vi.intoArray(work, vo + i);
                FloatVector mhat = mi.div(bc1);
                FloatVector vhat = vi.div(bc2);
                FloatVector pi = FloatVector.fromArray(FS, work, po + i);
                pi.sub(mhat.mul(lrT).div(vhat.sqrt().add(eps))).intoArray(work, po + i);
            }
            for (; i < n; i++) {
                float gi = work[go + i];
                float mi = beta1 * work[mo + i] + omb1 * gi;
                float vi = beta2 * work[vo + i] + omb2 * (gi * gi);
                work[mo + i] = mi;
                work[vo + i] = vi;
                float mhat = mi / bc1;
                float vhat = vi / bc2;
                work[po + i] = work[po + i] - lrT * mhat / ((float) Math.sqrt(vhat) + eps);
            }
            p.put(pb + start, work, po, n);
            m.put(mb + start, work, mo, n);
            v.put(vb + start, work, vo, n);
        }
    }
}
