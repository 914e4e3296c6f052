package ebm4j.compute;

/**
 * Layout of the statistics buffer that {@link Backend#hybridLossGrad} accumulates into, one add
 * per batch, so the host reads it once per logging interval instead of once per batch.
 * Each slot holds a sum over batches of that batch's mean (correct holds a count).
 */
public final class LossStats {
    public static final int LOSS = 0;
    public static final int CLF = 1;
    public static final int GEN = 2;
    public static final int E_REAL = 3;
    public static final int E_SAMPLE = 4;
    public static final int CORRECT = 5;
    public static final int ROWS = 6;
    public static final int BATCHES = 7;
    public static final int SIZE = 8;

    private LossStats() {}
}
