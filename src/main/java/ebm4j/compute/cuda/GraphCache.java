package ebm4j.compute.cuda;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The CUDA graphs of {@code repeatable()} bodies: at most one per key, each kept beside the tape
 * (the list of {@link StreamCommand}s) it was captured from.
 *
 * <p>{@link #run} is handed the tape of the call at hand. If the key's graph was captured from an
 * equal tape (same commands, same device addresses, sizes and host values, in the same order),
 * launching it does exactly what issuing the tape would, so it is launched. Otherwise (first call,
 * or anything differs: a buffer freed and another allocated, a new learning rate) the old graph is
 * dropped and the tape is captured into a new one, which is then launched. The key therefore only
 * names a cache slot; it cannot make a stale graph run.
 *
 * <p>{@link #dropTouching} forgets graphs that use memory about to be freed. Not needed for
 * correctness (their tapes could no longer match anything but a new allocation at the very same
 * address, for which the graph is again right), but it releases them early.
 *
 * <p>Dropping a graph that may still be executing is safe: the driver defers the destruction of an
 * executable graph until its launches complete ({@code cuGraphExecDestroy}).
 */
final class GraphCache implements AutoCloseable {
    private record Entry(List<StreamCommand> tape, Device.Graph graph) {}

    private final Device device;
    private final Map<String, Entry> entries = new HashMap<>();
    private long captures;

    GraphCache(Device device) {
        this.device = device;
    }

    /** Issues {@code tape} as the graph cached under {@code key}, capturing it first unless cached. */
    void run(String key, List<StreamCommand> tape) {
        Entry e = entries.get(key);
        if (e == null || !e.tape.equals(tape)) {
            if (e != null) {
                entries.remove(key);
                e.graph.close();
            }
            if (tape.isEmpty()) return;   // nothing to run, nothing worth a graph
            e = new Entry(List.copyOf(tape), capture(tape));
            entries.put(key, e);
        }
        e.graph.launch();
    }

    private Device.Graph capture(List<StreamCommand> tape) {
        device.beginCapture();
        RuntimeException failure = null;
        try {
            for (StreamCommand c : tape) c.issue(device);
        } catch (RuntimeException ex) {
            failure = ex;
        }
        Device.Graph graph = null;
        try {
            graph = device.endCapture();   // always, so the stream leaves capture mode
        } catch (RuntimeException ex) {
            if (failure == null) failure = ex;
            else failure.addSuppressed(ex);
        }
        if (failure != null) {
            if (graph != null) {
                try {
                    graph.close();
                } catch (RuntimeException ex) {
                    failure.addSuppressed(ex);
                }
            }
            throw failure;
        }
        captures++;
        return graph;
    }

    /** Drops the graphs whose commands use device memory in [{@code from}, {@code from + bytes}]. */
    void dropTouching(long from, long bytes) {
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            for (StreamCommand c : e.tape) {
                if (c.touches(from, bytes)) {
                    it.remove();
                    e.graph.close();
                    break;
                }
            }
        }
    }

    /** Graphs cached now. */
    int size() {
        return entries.size();
    }

    /** Graphs captured so far (each capture is also an instantiation: the costly part on a GPU). */
    long captures() {
        return captures;
    }

    /** Closes every graph; the first failure is rethrown after all were attempted. */
    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (Entry e : entries.values()) {
            try {
                e.graph.close();
            } catch (RuntimeException ex) {
                failures.add(ex);
            }
        }
        entries.clear();
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            for (int i = 1; i < failures.size(); i++) first.addSuppressed(failures.get(i));
            throw first;
        }
    }
}
