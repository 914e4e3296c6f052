package ebm4j.train;

import ebm4j.OutputFiles;
import ebm4j.UserException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The run's log: every line goes to the console and to the log files, with a timestamp, as the
 * original project's logging did. Progress-bar redraws go to the console only.
 *
 * <p>Where the log goes ({@link #targets}): the {@code log_file} hyperparameter is a file name,
 * written inside the run folder, or a path (as the original's {@code --log_file} took), written
 * there and also, under its file name, inside the run folder, so the folder always holds its own
 * log. Either way the name may not be one the run folder uses itself ({@link RunFolder#isOwnName}),
 * and a path may not point into the run folder or at a folder. Lines are appended, so a resumed
 * run continues its log.
 */
public final class RunLog implements AutoCloseable {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private final PrintStream console;
    private final List<Path> paths;
    private final List<Writer> files = new ArrayList<>();
    private final boolean[] warned;
    private boolean progressShown;

    /** A log written to the console and to {@code logFile} (null: the console only). */
    public RunLog(PrintStream console, Path logFile) throws IOException {
        this(console, logFile == null ? List.of() : List.of(logFile));
    }

    private RunLog(PrintStream console, List<Path> logFiles) throws IOException {
        this.console = console;
        this.paths = List.copyOf(logFiles);
        this.warned = new boolean[paths.size()];
        try {
            for (Path p : paths) {
                files.add(Files.newBufferedWriter(p, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND));
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** The log of a run: to the console and to the {@link #targets} of {@code logFile} for the run folder. */
    public static RunLog open(PrintStream console, Path runRoot, String logFile) {
        List<Path> targets = targets(runRoot, logFile);
        try {
            return new RunLog(console, targets);
        } catch (IOException e) {
            throw new UserException("cannot write the log (log_file " + logFile + "): " + OutputFiles.reason(e));
        }
    }

    /**
     * The files a {@code log_file} value writes for the run folder {@code runRoot}: the run
     * folder's copy first, then the path given, if it is one. Checks them without writing.
     *
     * @throws UserException when the name is one of the run folder's own, or the path points into
     *                       the run folder, at a folder, or into a folder that does not exist
     */
    public static List<Path> targets(Path runRoot, String logFile) {
        Path given = Path.of(logFile);
        String name = given.getFileName().toString();
        if (RunFolder.isOwnName(name)) {
            throw new UserException("log_file " + logFile + ": '" + name + "' is a name the run folder uses itself"
                    + " (its files, folders, and names starting with a dot); choose another name, such as "
                    + "ebm_training.log");
        }
        Path root = runRoot.toAbsolutePath().normalize();
        Path inRun = root.resolve(name);
        if (given.getParent() == null) {
            return List.of(inRun);
        }
        Path outside = given.toAbsolutePath().normalize();
        if (outside.equals(inRun)) {
            return List.of(inRun);
        }
        if (outside.startsWith(root)) {
            throw new UserException("log_file " + logFile + " points inside the run folder " + root
                    + "; give a plain file name to log there");
        }
        if (Files.isDirectory(outside)) {
            throw new UserException("log_file " + logFile + " is a folder; give a file name");
        }
        if (!Files.isDirectory(outside.getParent())) {
            throw new UserException("log_file " + logFile + ": the folder " + outside.getParent() + " does not exist");
        }
        return List.of(inRun, outside);
    }

    /** The files this log writes. */
    public List<Path> files() {
        return paths;
    }

    public synchronized void info(String format, Object... args) {
        String line = LocalDateTime.now().format(TIME) + " - " + String.format(Locale.ROOT, format, args);
        clearProgress();
        console.println(line);
        console.flush();
        toFiles(line);
    }

    /**
     * Writes a line to the log files only: for what the console shows otherwise (the error that
     * ends a run is printed by the command line).
     */
    public synchronized void fileOnly(String line) {
        toFiles(LocalDateTime.now().format(TIME) + " - " + line);
    }

    private void toFiles(String line) {
        for (int i = 0; i < files.size(); i++) {
            try {
                files.get(i).write(line);
                files.get(i).write('\n');
                files.get(i).flush();
            } catch (IOException e) {
                // a log line lost is not worth stopping a run for; say so once per file
                if (!warned[i]) {
                    warned[i] = true;
                    console.println("warning: cannot write the log file " + paths.get(i) + ": "
                            + OutputFiles.reason(e) + " (further failures are not reported)");
                }
            }
        }
    }

    /** Redraws a one-line progress display on the console (not written to the file). */
    public synchronized void progress(String line) {
        console.print("\r" + line + "\u001b[K");
        console.flush();
        progressShown = true;
    }

    private void clearProgress() {
        if (progressShown) {
            console.print("\r\u001b[K");
            progressShown = false;
        }
    }

    /** Closes the files; every line was flushed when written, so a failure here loses nothing. */
    @Override
    public synchronized void close() throws IOException {
        clearProgress();
        for (Writer w : files) {
            try {
                w.close();
            } catch (IOException e) {
                // nothing buffered to lose
            }
        }
        files.clear();
    }
}
