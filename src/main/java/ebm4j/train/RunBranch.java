package ebm4j.train;

import ebm4j.Json;
import ebm4j.TempFiles;
import ebm4j.model.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts a branch: a new run folder that continues from a checkpoint which is not its run's
 * newest (or that was asked to go elsewhere). It records where it came from in {@value
 * RunFolder#PARENT}, and takes the history it shares with its parent: the parent's metrics and
 * sample grids of the epochs completed at the checkpoint. The parent is only read, never written.
 */
final class RunBranch {
    private RunBranch() {}

    /**
     * @param branch    the new run's folder (created and locked by the caller)
     * @param from      the checkpoint the branch starts from
     * @param parentRun the run folder holding that checkpoint, or null for a loose checkpoint
     */
    static void start(RunFolder branch, Checkpoint.Loaded from, Path parentRun) {
        int epochs = from.state().epoch();
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("parent_run", parentRun == null ? null : parentRun.toString());
        record.put("checkpoint", from.dir().toAbsolutePath().normalize().toString());
        record.put("step", from.state().counters()[ebm4j.compute.Counters.ADAM_T]);
        record.put("epoch", epochs);
        record.put("batch_in_epoch", from.state().batchInEpoch());
        record.put("created", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        Path file = branch.root().resolve(RunFolder.PARENT);
        RunFolder.writing(file, () -> TempFiles.writeString(file, Json.writePretty(record) + "\n"));
        if (parentRun == null) {
            return;
        }
        List<EpochMetrics> shared = new ArrayList<>(RunFolder.readMetrics(parentRun.resolve(RunFolder.METRICS)));
        shared.removeIf(m -> m.epoch() > epochs);
        if (!shared.isEmpty()) {
            RunFolder.writeMetrics(branch.metricsFile(), shared);
        }
        for (int e = 1; e <= epochs; e++) {
            Path grid = parentRun.resolve(RunFolder.FIGURES).resolve("generated_epoch_" + e + ".png");
            if (Files.isRegularFile(grid)) {
                Path copy = branch.figures().resolve(grid.getFileName());
                RunFolder.writing(copy, () -> copy(grid, copy));
            }
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Path tmp = TempFiles.beside(to.getParent(), "." + to.getFileName(), ".part");
        try {
            Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
            TempFiles.replace(tmp, to);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
