package ebm4j.train;

import ebm4j.compute.LossStats;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Decides when training has diverged: non-finite statistics, mean energies beyond a bound, or
 * non-finite weights about to be checkpointed. Throws {@link DivergenceException} naming the
 * batch, the problem, the last good checkpoint and what to try, so no checkpoint ever holds a
 * diverged state.
 */
final class DivergenceGuard {
    private final double energyBound;

    DivergenceGuard(double energyBound) {
        this.energyBound = energyBound;
    }

    void checkStatistics(StatsWindow window, int globalBatch, Path lastGoodCheckpoint) {
        String problem = null;
        if (!window.finite()) {
            problem = "non-finite loss or energy";
        } else if (Math.abs(window.mean(LossStats.E_REAL)) > energyBound
                || Math.abs(window.mean(LossStats.E_SAMPLE)) > energyBound) {
            problem = String.format(Locale.ROOT, "mean energies %.4g / %.4g beyond the bound %.4g",
                    window.mean(LossStats.E_REAL), window.mean(LossStats.E_SAMPLE), energyBound);
        }
        if (problem != null) {
            throw new DivergenceException("training diverged by batch " + globalBatch + ": " + problem
                    + (lastGoodCheckpoint == null ? "" : "; the last good checkpoint is " + lastGoodCheckpoint)
                    + "; try --on-divergence rollback, a lower --lr or --langevin-alpha, or --energy-l2 0.1",
                    lastGoodCheckpoint);
        }
    }

    void checkWeights(float[] params, int globalBatch, Path lastGoodCheckpoint) {
        for (float p : params) {
            if (!Float.isFinite(p)) {
                throw new DivergenceException("training diverged by batch " + globalBatch + ": non-finite weights"
                        + "; not saving them over the last good checkpoint", lastGoodCheckpoint);
            }
        }
    }
}
