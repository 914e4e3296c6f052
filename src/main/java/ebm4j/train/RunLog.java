package ebm4j.train;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The run's log: every line goes to the console and to the log file in the run folder, with a
 * timestamp, as the original project's logging did. Progress-bar redraws go to the console only.
 */
public final class RunLog implements AutoCloseable {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private final PrintStream console;
    private final Writer file;
    private boolean progressShown;

    public RunLog(PrintStream console, Path logFile) throws IOException {
        this.console = console;
        this.file = logFile == null ? null : Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    public synchronized void info(String format, Object... args) {
        String line = LocalDateTime.now().format(TIME) + " - " + String.format(Locale.ROOT, format, args);
        clearProgress();
        console.println(line);
        console.flush();
        if (file != null) {
            try {
                file.write(line);
                file.write('\n');
                file.flush();
            } catch (IOException e) {
                console.println("warning: cannot write the log file: " + e.getMessage());
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

    @Override
    public synchronized void close() throws IOException {
        clearProgress();
        if (file != null) {
            file.close();
        }
    }
}
