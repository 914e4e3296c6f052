package ebm4j.train;

import ebm4j.OutputFiles;
import ebm4j.UserException;
import ebm4j.config.TrainConfig;
import ebm4j.model.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a run's checkpoints: the state of the device, checked by the divergence guard first, into
 * {@code checkpoints/step-<global batch>/}, then prunes all but the newest {@code keep}. A failed
 * write (a full disk) removes the incomplete folder and stops the run with a {@link UserException}
 * naming it; the checkpoints written before stay intact.
 */
final class Checkpointer {
    /** Writes one checkpoint folder; {@link Checkpoint#save} except in tests that simulate a failing disk. */
    interface Writer {
        void save(Path dir, TrainingState state, TrainConfig config, Checkpoint.TrainState snapshot, float[] params)
                throws IOException;
    }

    static final Writer SAVE = (dir, state, config, snapshot, params) ->
            Checkpoint.save(dir, state.model.spec(), params, config, snapshot);

    private final RunFolder run;
    private final TrainConfig config;
    private final int keep;
    private final DivergenceGuard guard;
    private final Writer writer;
    private Path last;

    /** @param last the checkpoint the run resumed from, or null */
    Checkpointer(RunFolder run, TrainConfig config, int keep, DivergenceGuard guard, Path last, Writer writer) {
        this.run = run;
        this.config = config;
        this.keep = keep;
        this.guard = guard;
        this.last = last;
        this.writer = writer;
    }

    /** The newest checkpoint written or resumed from (null before the first). */
    Path last() {
        return last;
    }

    Path save(TrainingState state, int epoch, int batchInEpoch, int globalBatch) {
        Path dir = run.checkpoints().resolve(String.format("step-%09d", globalBatch));
        if (dir.equals(last)) {
            // saved at this very batch already (a run stopped right after a scheduled checkpoint): writing
            // the same state again would only open a window in which the folder's two files disagree
            return dir;
        }
        Checkpoint.TrainState snapshot = state.snapshot(epoch, batchInEpoch);
        float[] params = state.backend.download(state.model.params());
        guard.checkWeights(params, globalBatch, Checkpoint.newest(run.checkpoints()));
        boolean existed = Files.isRegularFile(dir.resolve(Checkpoint.MODEL_FILE));
        try {
            writer.save(dir, state, config, snapshot, params);
        } catch (IOException e) {
            if (!existed) {
                removeIncomplete(dir, e);
            }
            throw new UserException("cannot write checkpoint " + dir + ": " + OutputFiles.reason(e) + "; "
                    + (last == null ? "no earlier checkpoint exists" : "the last complete checkpoint is " + last
                    + ": free space, then continue with --resume " + last), e);
        }
        last = dir;
        try {
            Checkpoint.prune(run.checkpoints(), keep);
        } catch (IOException e) {
            throw new UserException("cannot remove old checkpoints in " + run.checkpoints() + ": "
                    + OutputFiles.reason(e), e);
        }
        return dir;
    }

    /** Removes what a failed write left of a new checkpoint folder (never a complete one). */
    private static void removeIncomplete(Path dir, IOException cause) {
        if (!Files.isDirectory(dir) || Files.isRegularFile(dir.resolve(Checkpoint.MODEL_FILE))) {
            return;
        }
        try {
            Checkpoint.deleteFiles(dir);
        } catch (IOException e) {
            cause.addSuppressed(e); // the next start of this run removes it (RunLeftovers)
        }
    }
}
