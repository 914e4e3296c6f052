package ebm4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import ebm4j.Json;
import ebm4j.OutputFiles;
import ebm4j.UserException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one owner of a run folder: an operating-system lock on {@value #FILE} in the folder, held
 * from before the first write until the process ends (the OS releases it when a process dies, even
 * by kill -9). A second writer fails at once with exit 2 naming the holder. The file's content (pid,
 * host, command, start time) is only for that message: the OS lock is the truth, so a file left
 * by a killed process is simply taken over. The file itself stays in the folder; deleting it
 * while another process waits on it would let two processes hold "the" lock.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = ".lock";
    private static final int MAX_CONTENT = 4096;

    private final FileChannel channel;
    private final FileLock lock;
    private final String previousHolder;

    private RunLock(FileChannel channel, FileLock lock, String previousHolder) {
        this.channel = channel;
        this.lock = lock;
        this.previousHolder = previousHolder;
    }

    /**
     * Takes the lock of a run folder (which must exist).
     *
     * @param command what takes it, for the message another process gets, e.g. "train"
     * @throws UserException naming the holder when another process (or this one) holds it
     */
    public static RunLock take(Path runRoot, String command) {
        Path file = runRoot.resolve(FILE);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UserException("cannot lock the run folder " + runRoot + ": " + OutputFiles.reason(e));
        }
        try {
            FileLock lock;
            String holder;
            try {
                lock = ch.tryLock();
                holder = lock == null ? describe(read(ch)) : null;
                if (holder != null && holder.isEmpty()) {
                    holder = "another process"; // it has the lock but has not written its name yet
                }
            } catch (OverlappingFileLockException e) {
                lock = null;
                holder = "this process";
            }
            if (lock == null) {
                throw new UserException("run folder " + runRoot + " is in use by " + holder + "; wait for it to finish,"
                        + " or choose another folder");
            }
            String previous = describe(read(ch));
            write(ch, command);
            return new RunLock(ch, lock, previous.isEmpty() ? null : previous);
        } catch (IOException e) {
            close(ch);
            throw new UserException("cannot lock the run folder " + runRoot + ": " + OutputFiles.reason(e));
        } catch (RuntimeException e) {
            close(ch);
            throw e;
        }
    }

    /**
     * Who holds the lock of a run folder now, as "pid N on host H (...)", or null when nobody does
     * (no lock file, or one that no live process holds). Only looks: takes nothing.
     */
    public static String holder(Path runRoot) {
        Path file = runRoot.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock probe;
            try {
                probe = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                return "this process";
            }
            if (probe != null) {
                probe.release();
                return null;
            }
            String who = describe(read(ch));
            return who.isEmpty() ? "another process" : who;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Who held the lock before this process took it over (a process that ended without releasing
     * it, e.g. killed), as "pid N on host H (train, since T)"; null when the file was new or empty.
     */
    public String previousHolder() {
        return previousHolder;
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel below releases it too
        }
        close(channel);
    }

    private static String read(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(MAX_CONTENT);
        while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
            // until the end of the file or the buffer
        }
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).trim();
    }

    private static void write(FileChannel ch, String command) throws IOException {
        Map<String, Object> who = new LinkedHashMap<>();
        who.put("pid", ProcessHandle.current().pid());
        who.put("host", host());
        who.put("command", command);
        who.put("since", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        ByteBuffer bytes = ByteBuffer.wrap((Json.write(who) + "\n").getBytes(StandardCharsets.UTF_8));
        ch.truncate(0);
        while (bytes.hasRemaining()) {
            ch.write(bytes, bytes.position());
        }
        ch.force(false);
    }

    /** The holder, in words, from the file's content (which may be empty or half-written). */
    private static String describe(String content) {
        if (content.isEmpty()) {
            return "";
        }
        try {
            JsonNode n = Json.read(content);
            return "pid " + n.path("pid").asText("?") + " on host " + n.path("host").asText("?") + " ("
                    + n.path("command").asText("?") + ", since " + n.path("since").asText("?") + ")";
        } catch (IllegalArgumentException e) {
            return "another process";
        }
    }

    private static String host() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException ex) {
                return "?";
            }
        }
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing was written through it that could be lost
        }
    }
}
