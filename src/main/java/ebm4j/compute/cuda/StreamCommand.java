package ebm4j.compute.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * One operation on the backend's stream, held as a value: what it does and every argument it
 * does it with (device addresses, sizes, host scalars). {@link CudaBackend#repeatable} records a
 * body as a list of these, a tape, and {@link GraphCache} replays a captured graph only when the
 * tape it was captured from equals the new one, so {@link #equals} must cover everything the
 * device would see. Pointers compare by {@link DeviceAddress} (never by {@code CUdeviceptr.equals}).
 *
 * <p>The kinds: a kernel launch ({@link Launch}), a device-to-device copy ({@link Copy}) and a
 * GEMM on the device's engine ({@link Gemm}: a cuBLAS call, or our kernels' launches).
 */
interface StreamCommand {
    /** Queues the operation on {@code device}'s stream (recorded into a graph while capturing). */
    void issue(Device device);

    /**
     * True when a pointer argument lies in [{@code from}, {@code from + bytes}]: the command may use
     * that memory. (Inclusive end: a zero-length view just past an allocation counts too; a
     * spurious match only costs a re-capture.)
     */
    boolean touches(long from, long bytes);

    static boolean within(long address, long from, long bytes) {
        return address != 0 && address >= from && address - from <= bytes;
    }

    /** {@code cuMemcpyDtoDAsync(dst, src, bytes)}. */
    final class Copy implements StreamCommand {
        private final CUdeviceptr dst;
        private final CUdeviceptr src;
        private final long dstAddress;
        private final long srcAddress;
        private final long bytes;

        Copy(CUdeviceptr dst, CUdeviceptr src, long bytes) {
            this.dst = dst;
            this.src = src;
            this.dstAddress = DeviceAddress.of(dst);
            this.srcAddress = DeviceAddress.of(src);
            this.bytes = bytes;
        }

        @Override
        public void issue(Device device) {
            device.copy(dst, src, bytes);
        }

        @Override
        public boolean touches(long from, long size) {
            return within(dstAddress, from, size) || within(srcAddress, from, size);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Copy c && c.dstAddress == dstAddress && c.srcAddress == srcAddress && c.bytes == bytes;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(dstAddress * 31 + srcAddress) * 31 + Long.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "copy(0x" + Long.toHexString(dstAddress) + " <- 0x" + Long.toHexString(srcAddress) + ", " + bytes + " B)";
        }
    }

    /** One {@link GemmEngine#gemm} call on the device's engine, with all its arguments. */
    final class Gemm implements StreamCommand {
        private final boolean transA;
        private final boolean transB;
        private final int m;
        private final int n;
        private final int k;
        private final float alpha;
        private final float beta;
        private final CUdeviceptr a;
        private final CUdeviceptr b;
        private final CUdeviceptr c;
        private final long aAddress;
        private final long bAddress;
        private final long cAddress;
        private final int lda;
        private final int ldb;
        private final int ldc;

        Gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, CUdeviceptr a, int lda,
             CUdeviceptr b, int ldb, float beta, CUdeviceptr c, int ldc) {
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
            this.alpha = alpha;
            this.beta = beta;
            this.a = a;
            this.b = b;
            this.c = c;
            this.aAddress = DeviceAddress.of(a);
            this.bAddress = DeviceAddress.of(b);
            this.cAddress = DeviceAddress.of(c);
            this.lda = lda;
            this.ldb = ldb;
            this.ldc = ldc;
        }

        @Override
        public void issue(Device device) {
            device.gemm().gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }

        @Override
        public boolean touches(long from, long bytes) {
            return within(aAddress, from, bytes) || within(bAddress, from, bytes) || within(cAddress, from, bytes);
        }

        @Override
        public boolean equals(Object o) {
            // float arguments by their bits: -0.0 and NaN payloads are different host values
            return o instanceof Gemm g && g.transA == transA && g.transB == transB && g.m == m && g.n == n
                    && g.k == k && Float.floatToRawIntBits(g.alpha) == Float.floatToRawIntBits(alpha)
                    && Float.floatToRawIntBits(g.beta) == Float.floatToRawIntBits(beta)
                    && g.aAddress == aAddress && g.bAddress == bAddress && g.cAddress == cAddress
                    && g.lda == lda && g.ldb == ldb && g.ldc == ldc;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(aAddress ^ (bAddress * 31) ^ (cAddress * 961)) * 31 + (m * 31 + n) * 31 + k;
        }

        @Override
        public String toString() {
            return "gemm(" + (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x" + n + "x" + k
                    + ", alpha " + alpha + ", beta " + beta + ")";
        }
    }
}
