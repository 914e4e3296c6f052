package ebm4j.compute.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pure-Java SGEMM on the incubator Vector API, the fallback when OpenBLAS does not load.
 *
 * <p>Scheme (the usual packed GEMM, cut down to what our shapes need): for each chunk of
 * {@link #MC} rows of C and each block of {@link #KC} steps of k, op(A) is packed into row blocks
 * of {@link #MR} rows laid out k-major, and op(B) into column panels of {@link #NR} columns laid
 * out k-major, both zero-padded to whole blocks. Packing also absorbs the transposes and strides,
 * so one micro-kernel serves all four cases. The micro-kernel keeps an MR x NR tile of C in 8 vector registers (4 rows x 2 vectors;
 * with 256-bit AVX2 that plus two B vectors and one broadcast fits the 16 ymm registers) and
 * streams one k step at a time: per step two B loads, four broadcasts, eight fused multiply-adds.
 * A B panel ({@code KC*NR} floats, 16 KB at 256 bits) stays in L1 while the row blocks of A go by.
 *
 * <p>Partial sums live in a float accumulator array between k blocks, so every element of C is
 * {@code fma(a[k-1], b[k-1], ... fma(a[0], b[0], 0))} in k order, then {@code alpha*acc + beta*c}:
 * the same bits whichever rows or columns of C a call covers. That makes the backend's split
 * products (over rows or columns) identical to unsplit ones, for any thread count.
 */
final class VectorGemm implements Gemm {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /** Rows of C per register tile. */
    static final int MR = 4;
    /** Columns of C per register tile: two vectors. */
    static final int NR = 2 * L;
    /** k steps per packed block. */
    private static final int KC = 256;
    /** Rows of C per accumulator chunk. */
    private static final int MC = 128;

    /** Packing and accumulator arrays, one set per concurrent part, grown on demand and kept. */
    private static final class Workspace {
        float[] a = new float[0];
        float[] b = new float[0];
        float[] acc = new float[0];
    }

    private final Workspace[] workspaces;

    /** A GEMM for up to {@code parts} concurrent callers. */
    VectorGemm(int parts) {
        workspaces = new Workspace[parts];
        for (int i = 0; i < parts; i++) {
            workspaces[i] = new Workspace();
        }
    }

    @Override
    public String describe() {
        return "Java Vector API (" + SPECIES.vectorBitSize() + "-bit)";
    }

    @Override
    public void sgemm(int part, boolean transA, boolean transB, int m, int n, int k,
                      float alpha, FloatBuffer a, int lda, FloatBuffer b, int ldb,
                      float beta, FloatBuffer c, int ldc) {
        Workspace ws = workspaces[part];
        int np = roundUp(n, NR);
        int kcMax = Math.min(k, KC);
        int mcMax = roundUp(Math.min(m, MC), MR);
        if (ws.acc.length < mcMax * np) {
            ws.acc = new float[mcMax * np];
        }
        if (ws.a.length < mcMax * kcMax) {
            ws.a = new float[mcMax * kcMax];
        }
        if (ws.b.length < np * kcMax) {
            ws.b = new float[np * kcMax];
        }
        float[] acc = ws.acc;
        float[] ap = ws.a;
        float[] bp = ws.b;
        // Rows in chunks of MC bound the accumulator (and keep it in L2); B is re-packed per chunk,
        // which costs 1/MC of the arithmetic.
        for (int i0 = 0; i0 < m; i0 += MC) {
            int mc = Math.min(MC, m - i0);
            int mp = roundUp(mc, MR);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                if (transA) {
                    packTransposedA(a, a.position() + i0, lda, mc, mp, k0, kc, ap);
                } else {
                    packA(a, a.position() + i0 * lda, lda, mc, mp, k0, kc, ap);
                }
                if (transB) {
                    packTransposedB(b, b.position(), ldb, n, np, k0, kc, bp);
                } else {
                    packB(b, b.position(), ldb, n, np, k0, kc, bp);
                }
                boolean first = k0 == 0;
                for (int j = 0; j < np; j += NR) {
                    for (int i = 0; i < mp; i += MR) {
                        tile(ap, i * kc, bp, j * kc, kc, acc, i * np + j, np, first);
                    }
                }
            }
            store(c, c.position() + i0 * ldc, ldc, mc, n, acc, np, alpha, beta);
        }
    }

    /** op(A) = A stored (m, >=k): row block rb, step kk, row r of the block go to ap[rb*MR*kc + kk*MR + r]. */
    private static void packA(FloatBuffer a, int base, int lda, int m, int mp, int k0, int kc, float[] ap) {
        for (int row = 0; row < mp; row++) {
            int dst = (row / MR) * MR * kc + row % MR;
            if (row < m) {
                int src = base + row * lda + k0;
                for (int kk = 0; kk < kc; kk++) {
                    ap[dst + kk * MR] = a.get(src + kk);
                }
            } else {
                for (int kk = 0; kk < kc; kk++) {
                    ap[dst + kk * MR] = 0f;
                }
            }
        }
    }

    /** op(A) = A^T with A stored (k, >=m): same layout as {@link #packA}. */
    private static void packTransposedA(FloatBuffer a, int base, int lda, int m, int mp, int k0, int kc, float[] ap) {
        for (int kk = 0; kk < kc; kk++) {
            int src = base + (k0 + kk) * lda;
            for (int row = 0; row < mp; row++) {
                ap[(row / MR) * MR * kc + kk * MR + row % MR] = row < m ? a.get(src + row) : 0f;
            }
        }
    }

    /** op(B) = B stored (k, >=n): panel starting at column j, step kk, column q go to bp[j*kc + kk*NR + q]. */
    private static void packB(FloatBuffer b, int base, int ldb, int n, int np, int k0, int kc, float[] bp) {
        for (int j = 0; j < np; j += NR) {
            int width = Math.min(NR, n - j);
            for (int kk = 0; kk < kc; kk++) {
                int dst = j * kc + kk * NR;
                b.get(base + (k0 + kk) * ldb + j, bp, dst, width);
                if (width < NR) {
                    Arrays.fill(bp, dst + width, dst + NR, 0f);
                }
            }
        }
    }

    /** op(B) = B^T with B stored (n, >=k): same layout as {@link #packB}. */
    private static void packTransposedB(FloatBuffer b, int base, int ldb, int n, int np, int k0, int kc, float[] bp) {
        for (int col = 0; col < np; col++) {
            int dst = (col / NR) * NR * kc + col % NR;
            if (col < n) {
                int src = base + col * ldb + k0;
                for (int kk = 0; kk < kc; kk++) {
                    bp[dst + kk * NR] = b.get(src + kk);
                }
            } else {
                for (int kk = 0; kk < kc; kk++) {
                    bp[dst + kk * NR] = 0f;
                }
            }
        }
    }

    /**
     * acc[co + r*ldacc + q] (r < MR, q < NR) += sum over kk of ap[ao + kk*MR + r] * bp[bo + kk*NR + q],
     * starting from zero when {@code first}.
     */
    private static void tile(float[] ap, int ao, float[] bp, int bo, int kc,
                             float[] acc, int co, int ldacc, boolean first) {
        int r1 = co + ldacc;
        int r2 = r1 + ldacc;
        int r3 = r2 + ldacc;
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (first) {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(SPECIES);
        } else {
            c00 = FloatVector.fromArray(SPECIES, acc, co);
            c01 = FloatVector.fromArray(SPECIES, acc, co + L);
            c10 = FloatVector.fromArray(SPECIES, acc, r1);
            c11 = FloatVector.fromArray(SPECIES, acc, r1 + L);
            c20 = FloatVector.fromArray(SPECIES, acc, r2);
            c21 = FloatVector.fromArray(SPECIES, acc, r2 + L);
            c30 = FloatVector.fromArray(SPECIES, acc, r3);
            c31 = FloatVector.fromArray(SPECIES, acc, r3 + L);
        }
        for (int kk = 0; kk < kc; kk++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bo);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bo + L);
            FloatVector a0 = FloatVector.broadcast(SPECIES, ap[ao]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, ap[ao + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, ap[ao + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, ap[ao + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            ao += MR;
            bo += NR;
        }
        c00.intoArray(acc, co);
        c01.intoArray(acc, co + L);
        c10.intoArray(acc, r1);
        c11.intoArray(acc, r1 + L);
        c20.intoArray(acc, r2);
        c21.intoArray(acc, r2 + L);
        c30.intoArray(acc, r3);
        c31.intoArray(acc, r3 + L);
    }

    /** C = alpha*acc + beta*C over the valid (m, n) corner of acc; beta == 0 never reads C. */
    private static void store(FloatBuffer c, int base, int ldc, int m, int n, float[] acc, int ldacc,
                              float alpha, float beta) {
        for (int row = 0; row < m; row++) {
            int src = row * ldacc;
            int dst = base + row * ldc;
            if (beta == 0f) {
                for (int col = 0; col < n; col++) {
                    c.put(dst + col, alpha * acc[src + col]);
                }
            } else {
                for (int col = 0; col < n; col++) {
                    c.put(dst + col, alpha * acc[src + col] + beta * c.get(dst + col));
                }
            }
        }
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
