package ebm4j.train;

import ebm4j.TempFiles;
import ebm4j.model.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Removes what a killed process left in a run folder: temporary files (named as
 * {@link TempFiles#isTemporary} says) in the folder, figures/, eval/ and each checkpoint folder,
 * and checkpoint folders whose model file never appeared (a crash between the state file and the
 * model file; up to tens of megabytes each). Only names ebm4j creates are touched, and only while
 * the caller holds the folder's {@link RunLock}, so no live writer's file is removed.
 */
final class RunLeftovers {
    private RunLeftovers() {}

    /** @return the number of files and folders removed */
    static int clean(Path runRoot) throws IOException {
        int removed = 0;
        for (Path dir : List.of(runRoot, runRoot.resolve(RunFolder.FIGURES), runRoot.resolve(RunFolder.EVAL))) {
            removed += removeTemporaryFiles(dir);
        }
        Path checkpoints = runRoot.resolve(RunFolder.CHECKPOINTS);
        if (!Files.isDirectory(checkpoints)) {
            return removed;
        }
        try (Stream<Path> s = Files.list(checkpoints)) {
            for (Path step : s.filter(p -> Checkpoint.step(p) >= 0 && Files.isDirectory(p)).toList()) {
                if (Files.isRegularFile(step.resolve(Checkpoint.MODEL_FILE))) {
                    removed += removeTemporaryFiles(step);
                } else {
                    removed += Checkpoint.deleteFiles(step); // incomplete: the model file is written last
                }
            }
        }
        return removed;
    }

    private static int removeTemporaryFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(p -> TempFiles.isTemporary(p) && Files.isRegularFile(p)).toList()) {
                Files.deleteIfExists(f);
                removed++;
            }
        }
        return removed;
    }
}
