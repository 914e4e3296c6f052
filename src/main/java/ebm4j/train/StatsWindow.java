package ebm4j.train;

import ebm4j.compute.LossStats;

/** Host-side sums of the device loss statistics over a window of batches (an epoch, a log interval). */
final class StatsWindow {
    private final double[] sums = new double[LossStats.SIZE];

    void add(float[] batchSums) {
        for (int i = 0; i < sums.length; i++) {
            sums[i] += batchSums[i];
        }
    }

    void add(StatsWindow other) {
        for (int i = 0; i < sums.length; i++) {
            sums[i] += other.sums[i];
        }
    }

    int batches() {
        return (int) Math.round(sums[LossStats.BATCHES]);
    }

    /** Mean per batch of a slot that holds per-batch means. */
    double mean(int slot) {
        double b = sums[LossStats.BATCHES];
        return b == 0 ? Double.NaN : sums[slot] / b;
    }

    double accuracy() {
        double rows = sums[LossStats.ROWS];
        return rows == 0 ? Double.NaN : sums[LossStats.CORRECT] / rows;
    }

    boolean finite() {
        for (double s : sums) {
            if (!Double.isFinite(s)) {
                return false;
            }
        }
        return true;
    }
}
