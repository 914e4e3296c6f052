package ebm4j.compute.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The products of the network's layers, {@code C = alpha * A . op(B)} with B a weight matrix
 * that stays the same for many products: all the Langevin steps of a training step, then its
 * forward and backward pass, use the same weights. op(B) is packed once into column panels
 * ({@link PackedB}; the backend keeps the packs until the weights are written) and each product
 * packs only A (the activations, a few hundred KB), then runs an {@link #MR} x {@link #NR}
 * register tile over the whole depth k: twelve accumulators, two loads of B and six broadcasts
 * of A per step: fifteen vector registers, within the sixteen of AVX2 (AVX-512 has 32).
 *
 * <p>Why not OpenBLAS here: at 64 rows it reached ~63 GFLOP/s per core on this 2-core EPYC
 * (~90 on large products); most of the difference is packing the 1.6 MB weight matrix again on
 * every call. With the pack kept, this kernel reaches ~90 on one core (thread CPU time).
 *
 * <p>Each element of C is {@code fma(a[k-1], b[k-1], ... fma(a[0], b[0], 0))} in k order, times
 * alpha: the same bits as {@link VectorGemm} (whatever rows or panels a part covers), so products
 * split over columns equal unsplit ones, and the CPU matches the emulated CUDA kernels as before.
 *
 * <p>Layouts, over the depth kp = k padded to whole blocks of {@link #KB} (zeros past k): packed A
 * holds row tile t, block kb, row r, step j at {@code [t*MR*kp + kb*MR*KB + r*KB + j]} (rows past
 * m are zero), so packing moves one vector per row and block; a {@link PackedB} holds panel p,
 * step kk, column q at {@code [p*NR*kp + kk*NR + q]} (columns past n are zero). A part computes whole panels into a heap array, then copies its rows
 * into C in bulk (the Vector API reads and writes arrays about twice as fast as direct buffers).
 */
final class PackedGemm {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /** Rows per register tile. */
    static final int MR = 6;
    /** Columns per register tile and per panel of packed B. */
    static final int NR = 2 * L;
    /** Steps of k per block of packed A (one vector of each row); k is padded to whole blocks. */
    static final int KB = L;
    /** Largest m this path takes: A's pack (here ~830 KB at k = 784) should stay near the core's L2. */
    static final int MAX_ROWS = 264;

    private PackedGemm() {}

    /**
     * op(B):(k, n) packed in panels of NR columns over the padded depth {@link #depth}(k) (the
     * rows past k stay zero), and the version of the memory it came from.
     */
    static final class PackedB {
        final int k;
        final int kp;
        final int n;
        final int panels;
        final float[] data;
        long version = -1;

        PackedB(int k, int n) {
            this.k = k;
            this.kp = depth(k);
            this.n = n;
            this.panels = (n + NR - 1) / NR;
            this.data = new float[panels * NR * kp];
        }
    }

    /** k rounded up to whole blocks of {@link #KB}: zero products past k leave the sums as they are. */
    static int depth(int k) {
        return (k + KB - 1) / KB * KB;
    }

    /** For run headers. */
    static String describe() {
        return "the packed-weight Java kernel (" + MR + "x" + NR + " tiles, " + SPECIES.vectorBitSize() + "-bit)";
    }

    /** Whether this path computes C = alpha * op(A) . op(B) + beta * C of this shape. */
    static boolean takes(boolean transA, int m, int n, int k, float beta) {
        return !transA && beta == 0f && m <= MAX_ROWS && n >= NR && k >= 16;
    }

    /** Floats of A's pack for m rows and depth k. */
    static int packedASize(int m, int k) {
        return tiles(m) * MR * depth(k);
    }

    static int tiles(int m) {
        return (m + MR - 1) / MR;
    }

    /**
     * Packs panels [p0, p1) of op(B) into {@code pb}: B stored (n, >=k) when transB (a weight
     * matrix (out, in) in the forward product), else (k, >=n), row stride ldb, from {@code base}.
     * {@code row} holds max(n, k) floats.
     */
    static void packB(FloatBuffer b, int base, int ldb, boolean transB, PackedB pb, int p0, int p1, float[] row) {
        int k = pb.k, kp = pb.kp, n = pb.n;
        float[] d = pb.data;
        int c0 = p0 * NR, c1 = Math.min(n, p1 * NR);
        if (transB) {
            for (int j = c0; j < p1 * NR; j++) {
                int dst = (j / NR) * NR * kp + j % NR;
                if (j < n) {
                    b.get(base + j * ldb, row, 0, k);
                    for (int kk = 0; kk < k; kk++) {
                        d[dst + kk * NR] = row[kk];
                    }
                } else {
                    for (int kk = 0; kk < k; kk++) {
                        d[dst + kk * NR] = 0f;
                    }
                }
            }
            return;
        }
        for (int kk = 0; kk < k; kk++) {
            if (c1 > c0) {
                b.get(base + kk * ldb + c0, row, 0, c1 - c0);
            }
            for (int p = p0; p < p1; p++) {
                int dst = p * NR * kp + kk * NR;
                int width = Math.max(0, Math.min(NR, n - p * NR));
                System.arraycopy(row, p * NR - c0, d, dst, width);
                if (width < NR) {
                    Arrays.fill(d, dst + width, dst + NR, 0f);
                }
            }
        }
    }

    /**
     * Packs row tiles [t0, t1) of A (m rows of stride lda from {@code base}, the first k columns)
     * into {@code ap}: tile t, k-block kb, row r, step j at {@code [t*MR*kp + kb*MR*KB + r*KB + j]}
     * (kp = depth(k); rows past m and steps past k are zero). Each row is copied out in bulk into
     * {@code row} (at least kp floats), then moved a whole vector per block.
     */
    static void packA(FloatBuffer a, int base, int lda, int m, int k, float[] ap, int t0, int t1, float[] row) {
        int kp = depth(k);
        Arrays.fill(row, k, kp, 0f);
        for (int t = t0; t < t1; t++) {
            for (int r = 0; r < MR; r++) {
                int rowIndex = t * MR + r;
                int dst = t * MR * kp + r * KB;
                if (rowIndex < m) {
                    a.get(base + rowIndex * lda, row, 0, k);
                    for (int kb = 0; kb < kp; kb += KB) {
                        FloatVector.fromArray(SPECIES, row, kb).intoArray(ap, dst + kb * MR);
                    }
                } else {
                    for (int kb = 0; kb < kp; kb += KB) {
                        Arrays.fill(ap, dst + kb * MR, dst + kb * MR + KB, 0f);
                    }
                }
            }
        }
    }

    /**
     * What a part does to its finished block of C before the block is copied out: the next op of
     * a layer (its bias and ELU, or ELU's derivative), applied while the block is still in cache,
     * which saves that op a pass over C and a hand-off to the workers. It must compute each
     * element exactly as the separate op would, so the fused product has the same bits.
     */
    @FunctionalInterface
    interface Epilogue {
        /**
         * Rewrites, for each row r in [0, m), {@code block[r * width, r * width + cols)}: row r,
         * columns [col0, col0 + cols) of C. {@code row} is scratch space of at least cols floats.
         */
        void apply(float[] block, int width, int m, int col0, int cols, float[] row);
    }

    /**
     * C columns of panels [p0, p1), rows [0, m) = alpha * A . op(B), from packed A ({@code tiles}
     * row tiles) and packed B, then {@code epilogue} (none when null). {@code work} holds tiles * MR
     * * (p1 - p0) * NR floats, {@code row} (used by the epilogue only) (p1 - p0) * NR.
     */
    static void multiply(float[] ap, int tiles, PackedB pb, int p0, int p1, float alpha,
                         FloatBuffer c, int base, int ldc, int m, float[] work, Epilogue epilogue, float[] row) {
        int kp = pb.kp;
        int width = (p1 - p0) * NR;
        for (int p = p0; p < p1; p++) {
            for (int t = 0; t < tiles; t++) {
                tile(ap, t * MR * kp, pb.data, p * NR * kp, kp, work, t * MR * width + (p - p0) * NR, width);
            }
        }
        int cols = Math.min(pb.n, p1 * NR) - p0 * NR;
        if (alpha != 1f) {
            for (int r = 0; r < m; r++) {
                for (int j = r * width, end = j + cols; j < end; j++) {
                    work[j] = alpha * work[j];
                }
            }
        }
        if (epilogue != null) {
            epilogue.apply(work, width, m, p0 * NR, cols, row);
        }
        for (int r = 0; r < m; r++) {
            c.put(base + r * ldc + p0 * NR, work, r * width, cols);
        }
    }

    /**
     * out[o + r*ldo + q] (r < MR, q < NR) = sum over steps kk < kp of A(r, kk) * bp[bo + kk*NR + q],
     * A(r, kk) at ap[ao + (kk/KB)*MR*KB + r*KB + kk%KB], fused multiply-adds in kk order from zero. One loop body, no helpers: a vector that crosses
     * a call C2 did not inline is boxed.
     */
    private static void tile(float[] ap, int ao, float[] bp, int bo, int kp, float[] out, int o, int ldo) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int kb = 0; kb < kp; kb += KB) {
            int a = ao + kb * MR;
            int b = bo + kb * NR;
            for (int j = 0; j < KB; j++) {
                FloatVector b0 = FloatVector.fromArray(SPECIES, bp, b + j * NR);
                FloatVector b1 = FloatVector.fromArray(SPECIES, bp, b + j * NR + L);
                FloatVector a0 = FloatVector.broadcast(SPECIES, ap[a + j]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(SPECIES, ap[a + KB + j]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(SPECIES, ap[a + 2 * KB + j]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(SPECIES, ap[a + 3 * KB + j]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
                FloatVector a4 = FloatVector.broadcast(SPECIES, ap[a + 4 * KB + j]);
                c40 = a4.fma(b0, c40);
                c41 = a4.fma(b1, c41);
                FloatVector a5 = FloatVector.broadcast(SPECIES, ap[a + 5 * KB + j]);
                c50 = a5.fma(b0, c50);
                c51 = a5.fma(b1, c51);
            }
        }
        c00.intoArray(out, o);
        c01.intoArray(out, o + L);
        c10.intoArray(out, o + ldo);
        c11.intoArray(out, o + ldo + L);
        c20.intoArray(out, o + 2 * ldo);
        c21.intoArray(out, o + 2 * ldo + L);
        c30.intoArray(out, o + 3 * ldo);
        c31.intoArray(out, o + 3 * ldo + L);
        c40.intoArray(out, o + 4 * ldo);
        c41.intoArray(out, o + 4 * ldo + L);
        c50.intoArray(out, o + 5 * ldo);
        c51.intoArray(out, o + 5 * ldo + L);
    }
}
