package ebm4j.compute.cpu;

import java.nio.FloatBuffer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * SGEMM through OpenBLAS (org.bytedeco build, DYNAMIC_ARCH: it picks kernels for the CPU it runs
 * on). OpenBLAS runs single-threaded: the backend parallelises across cores itself, and OpenBLAS's
 * own threads would busy-wait against ours (see shared/CPU-GEMM.md). Concurrent calls from our
 * workers are safe with one OpenBLAS thread.
 */
final class OpenBlasGemm implements Gemm {
    private final String description;

    private OpenBlasGemm(String description) {
        this.description = description;
    }

    /**
     * Loads the native library and checks it with a 1x1 product.
     *
     * @throws IllegalStateException when the library does not load or computes nonsense
     */
    static OpenBlasGemm load() {
        try {
            org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(1);
            FloatBuffer probe = java.nio.ByteBuffer.allocateDirect(12)
                    .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
            probe.put(0, 3f).put(1, 5f).put(2, Float.NaN);
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                    openblas_nolapack.CblasNoTrans, 1, 1, 1, 1f, probe, 1, probe.duplicate().position(1), 1,
                    0f, probe.duplicate().position(2), 1);
            if (probe.get(2) != 15f) {
                throw new IllegalStateException("OpenBLAS probe 3*5 gave " + probe.get(2));
            }
            return new OpenBlasGemm("OpenBLAS " + version() + " (" + corename() + " kernels, " + provenance() + ")");
        } catch (LinkageError | RuntimeException e) {
            throw new IllegalStateException("OpenBLAS did not load: " + e, e);
        }
    }

    @Override
    public void sgemm(int part, boolean transA, boolean transB, int m, int n, int k,
                      float alpha, FloatBuffer a, int lda, FloatBuffer b, int ldb,
                      float beta, FloatBuffer c, int ldc) {
        // The binding passes address + position of each direct buffer to cblas_sgemm.
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
                transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    @Override
    public String describe() {
        return description;
    }

    /**
     * Why these kernels: the launcher's calibration (its figures), the user's
     * {@code OPENBLAS_CORETYPE}, or OpenBLAS's own CPU detection.
     */
    static String provenance() {
        String forced = System.getenv(OpenBlasCalibration.CORETYPE_VARIABLE);
        String calibration = System.getenv(OpenBlasCalibration.SUMMARY_VARIABLE);
        if (forced != null && !forced.isBlank()) {
            return calibration != null && !calibration.isBlank() ? calibration
                    : OpenBlasCalibration.CORETYPE_VARIABLE + "=" + forced;
        }
        return "OpenBLAS's own choice";
    }

    /** "0.3.31" from a config string like "OpenBLAS 0.3.31 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64". */
    private static String version() {
        // The config/corename queries live in the full preset's JNI library only; they are
        // cosmetic, so a failure to load that second library must not disable OpenBLAS.
        try {
            String[] words = org.bytedeco.openblas.global.openblas_full.openblas_get_config().getString().split(" ");
            return words.length > 1 ? words[1] : "?";
        } catch (LinkageError | RuntimeException e) {
            return "?";
        }
    }

    /** The kernel set OpenBLAS loaded, e.g. "Zen". */
    static String corename() {
        try {
            return org.bytedeco.openblas.global.openblas_full.openblas_get_corename().getString();
        } catch (LinkageError | RuntimeException e) {
            return "unknown";
        }
    }
}
