package ebm4j.compute.cpu;

import java.util.Locale;

/** Which SGEMM the CPU backend uses. */
public enum GemmChoice {
    /** OpenBLAS when its native library loads, else the Java Vector API kernel. */
    AUTO,
    /** OpenBLAS, or fail when it does not load. */
    OPENBLAS,
    /** The pure-Java Vector API kernel (no native code). */
    JAVA;

    /** System property that overrides the default choice: auto, openblas or java. */
    public static final String PROPERTY = "ebm4j.gemm";

    /** The choice named by system property {@value #PROPERTY}, AUTO when unset. */
    public static GemmChoice fromSystemProperty() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be auto, openblas or java, got '"
                    + value + "'", e);
        }
    }
}
