package ebm4j.train;

import ebm4j.OutputFiles;
import ebm4j.UserException;
import ebm4j.config.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where {@code eval --out DIR} may write, decided before anything is computed. A run folder
 * belongs to its run: eval writes into one only as {@code RUN/eval} and only for a checkpoint of
 * that run, holding the run's {@link RunLock} meanwhile (so never while the run trains), and then
 * adds the evaluation to the run's report. Anywhere outside run folders it writes a plain folder.
 * The folder is created and checked writable at once, so a bad {@code --out} fails before the
 * evaluation's minutes are spent.
 */
public final class EvalOutput implements AutoCloseable {
    private final Path dir;
    private final Path run;
    private final RunLock lock;

    private EvalOutput(Path dir, Path run, RunLock lock) {
        this.dir = dir;
        this.run = run;
        this.lock = lock;
    }

    /**
     * @param out           the {@code --out} folder
     * @param checkpointDir the checkpoint being evaluated
     * @throws UserException when {@code out} is inside a run folder other than the checkpoint's, is
     *                       not that run's {@code eval} folder, is in use, or cannot be written
     */
    public static EvalOutput claim(Path out, Path checkpointDir) {
        Path dir = out.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UserException("--out " + out + " is a file, not a folder");
        }
        Path run = enclosingRun(dir);
        RunLock lock = null;
        if (run != null) {
            Path own = RunFolder.of(checkpointDir);
            if (own == null || !same(own, run)) {
                throw new UserException("--out " + out + " is inside the run folder " + run + ", but checkpoint "
                        + checkpointDir + " is not that run's: eval writes into a run folder only for the run's own"
                        + " checkpoints; choose an --out outside " + run);
            }
            if (!dir.equals(run.resolve(RunFolder.EVAL))) {
                throw new UserException("--out " + out + ": inside its run folder, eval writes only to "
                        + run.resolve(RunFolder.EVAL));
            }
            lock = RunLock.take(run, "eval");
        }
        try {
            OutputFiles.requireWritableFolder(dir, "--out");
        } catch (UserException e) {
            if (lock != null) {
                lock.close();
            }
            throw e;
        }
        return new EvalOutput(dir, run, lock);
    }

    /** The folder to write the evaluation's files into. */
    public Path dir() {
        return dir;
    }

    /**
     * After the files are written: adds the evaluation to the run's report when the folder is a
     * run's {@code eval}.
     *
     * @return the report rewritten, or null
     */
    public Path written(TrainConfig config) {
        if (run == null || !Files.exists(run.resolve(RunFolder.METRICS))) {
            return null;
        }
        try {
            RunReport.rewrite(run, config);
        } catch (IOException e) {
            throw OutputFiles.cannotWrite(run.resolve(RunFolder.REPORT), e);
        }
        return run.resolve(RunFolder.REPORT);
    }

    @Override
    public void close() {
        if (lock != null) {
            lock.close();
        }
    }

    /**
     * The run folder that {@code dir} is, or lies inside: the nearest folder at or above it with a
     * checkpoints/ folder beside a run's own files.
     */
    static Path enclosingRun(Path dir) {
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(RunFolder.CHECKPOINTS)) && (Files.exists(p.resolve(RunFolder.METRICS))
                    || Files.exists(p.resolve(RunLock.FILE)) || Files.exists(p.resolve(RunFolder.REPORT)))) {
                return p;
            }
        }
        return null;
    }

    private static boolean same(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }
}
