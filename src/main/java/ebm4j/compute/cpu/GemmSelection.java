package ebm4j.compute.cpu;

/**
 * The GEMM a backend ended up with, and why it is not OpenBLAS when AUTO fell back.
 *
 * @param gemm     the implementation
 * @param fallback null, or the reason OpenBLAS was not used under {@link GemmChoice#AUTO}
 */
record GemmSelection(Gemm gemm, String fallback) {

    /**
     * Opens the GEMM for {@code choice}, for up to {@code parts} concurrent callers.
     *
     * @throws IllegalStateException when OPENBLAS is asked for and does not load
     */
    static GemmSelection open(GemmChoice choice, int parts) {
        switch (choice) {
            case JAVA:
                return new GemmSelection(new VectorGemm(parts), null);
            case OPENBLAS:
                return new GemmSelection(OpenBlasGemm.load(), null);
            default:
                try {
                    return new GemmSelection(OpenBlasGemm.load(), null);
                } catch (IllegalStateException e) {
                    return new GemmSelection(new VectorGemm(parts), e.getMessage());
                }
        }
    }

    /** "OpenBLAS 0.3.31 (Zen kernels)", or the Java kernel with the reason for the fallback. */
    String describe() {
        return fallback == null ? gemm.describe() : gemm.describe() + " [" + fallback + "]";
    }
}
