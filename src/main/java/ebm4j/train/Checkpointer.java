package ebm4j.train;

import ebm4j.config.TrainConfig;
import ebm4j.model.Checkpoint;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a run's checkpoints: the state of the device, checked by the divergence guard first, into
 * {@code checkpoints/step-<global batch>/}, then prunes all but the newest {@code keep}.
 */
final class Checkpointer {
    private final RunFolder run;
    private final TrainConfig config;
    private final int keep;
    private final DivergenceGuard guard;
    private Path last;

    /** @param last the checkpoint the run resumed from, or null */
    Checkpointer(RunFolder run, TrainConfig config, int keep, DivergenceGuard guard, Path last) {
        this.run = run;
        this.config = config;
        this.keep = keep;
        this.guard = guard;
        this.last = last;
    }

    /** The newest checkpoint written or resumed from (null before the first). */
    Path last() {
        return last;
    }

    Path save(TrainingState state, int epoch, int batchInEpoch, int globalBatch) throws IOException {
        Checkpoint.TrainState snapshot = state.snapshot(epoch, batchInEpoch);
        float[] params = state.backend.download(state.model.params());
        guard.checkWeights(params, globalBatch, Checkpoint.newest(run.checkpoints()));
        Path dir = run.checkpoints().resolve(String.format("step-%09d", globalBatch));
        Checkpoint.save(dir, state.model.spec(), params, config, snapshot);
        Checkpoint.prune(run.checkpoints(), keep);
        last = dir;
        return dir;
    }
}
