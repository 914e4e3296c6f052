package ebm4j.train;

import ebm4j.config.ConfigLoader;
import ebm4j.config.TrainConfig;
import ebm4j.model.Checkpoint;
import java.io.IOException;
import java.util.Map;

/**
 * What to do when training diverges ({@link DivergenceException}): rethrow it, or (rollback)
 * reload the last good checkpoint and train on from there with half the learning rate, at most
 * {@code maxRollbacks} times. Each attempt is the caller's {@link Attempts} (a new
 * {@link Trainer} on the same backend); the retry resumes with the checkpoint's hyperparameters
 * but the halved rate and the current epoch count.
 */
public final class DivergenceRecovery {
    /** Rollbacks allowed by {@code --on-divergence rollback}. */
    public static final int MAX_ROLLBACKS = 3;

    /** One attempt: typically a new {@link Trainer} for these arguments, run to its end. */
    @FunctionalInterface
    public interface Attempts {
        /**
         * @param config the hyperparameters of this attempt
         * @param resume the checkpoint it starts from, or null for a fresh start
         */
        Trainer.Summary run(TrainConfig config, Checkpoint.Loaded resume) throws IOException;
    }

    private final boolean rollback;
    private final int maxRollbacks;
    private final RunLog log;

    /**
     * @param rollback     false: a divergence is rethrown at once (--on-divergence stop)
     * @param maxRollbacks rollbacks before the divergence is rethrown
     */
    public DivergenceRecovery(boolean rollback, int maxRollbacks, RunLog log) {
        this.rollback = rollback;
        this.maxRollbacks = maxRollbacks;
        this.log = log;
    }

    /**
     * Trains to the end, rolling back on divergence as configured.
     *
     * @throws DivergenceException when rollback is off, the rollbacks are spent, or no good
     *                             checkpoint exists yet
     */
    public Trainer.Summary run(TrainConfig config, Checkpoint.Loaded resume, Attempts attempts) throws IOException {
        for (int rollbacks = 0; ; rollbacks++) {
            try {
                return attempts.run(config, resume);
            } catch (DivergenceException e) {
                if (!rollback || rollbacks >= maxRollbacks || e.lastGoodCheckpoint() == null) {
                    throw e;
                }
                resume = Checkpoint.load(e.lastGoodCheckpoint());
                config = halvedRate(resume.config(), config);
                log.info("%s", e.getMessage());
                log.info("rolling back to %s with lr %g (rollback %d of %d)", resume.dir(), config.lr(),
                        rollbacks + 1, maxRollbacks);
            }
        }
    }

    /** The checkpoint's hyperparameters with half the current rate and the current epoch count. */
    private static TrainConfig halvedRate(TrainConfig checkpointed, TrainConfig current) {
        return ConfigLoader.with(checkpointed, Map.of("lr", Float.toString(current.lr() / 2),
                "epochs", Integer.toString(current.epochs())), "the rollback");
    }
}
