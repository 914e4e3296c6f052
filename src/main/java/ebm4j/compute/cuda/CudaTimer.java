package ebm4j.compute.cuda;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ebm4j.compute.PhaseTimer;

/**
 * Device time per named phase, with the same rules as the CPU timer (begin twice or end without
 * begin throw; open phases keep running across a drain). Two mechanisms, chosen per call:
 *
 * <ul>
 *   <li><b>Outside a graph capture</b> (eager ops): CUDA events. {@code begin} records an event
 *       from a pool on the stream, {@code end} records a second one, the pair is kept until
 *       {@link #drainMillis}, which synchronizes the stream, sums {@code cuEventElapsedTime} over
 *       the pairs and returns the events to the pool.</li>
 *   <li><b>Inside {@code repeatable()} while it is being captured</b>: a one-thread kernel,
 *       {@code timer_mark}, that reads the GPU's {@code %globaltimer} (ns). {@code begin} stores
 *       the time in the phase's device slot, {@code end} adds the difference to the phase's
 *       device sum. Both are captured as kernel nodes, so EVERY replay of the graph adds its own
 *       time and {@link #drainMillis} reads the sums (after synchronizing) and zeroes them.</li>
 * </ul>
 *
 * Why not events inside graphs: a plain {@code cuEventRecord} on a capturing stream is only a
 * capture-internal dependency marker, not a timing record; an "external" event-record node
 * ({@code CU_EVENT_RECORD_EXTERNAL}) records the same two events on every replay, so only the
 * last replay's time could be read without a synchronisation per replay. The globaltimer marks
 * cost one tiny kernel node each (about a microsecond of device time) and their resolution is
 * the globaltimer's (1 us or better on current GPUs; the error averages out over many replays).
 *
 * <p>Like every CUDA call of the backend, use from the backend's thread only.
 */
final class CudaTimer implements PhaseTimer, AutoCloseable {
    /** Phases that can be timed inside graphs (device slots). */
    static final int MAX_GRAPH_PHASES = 64;

    private static final class Phase {
        final String name;
        Device.Event openEvent;          // eager begin, or null
        final List<Device.Event[]> pairs = new ArrayList<>();
        int slot = -1;              // device slot once used inside a capture
        boolean openInCapture;

        Phase(String name) {
            this.name = name;
        }
    }

    private final CudaBackend backend;
    private final Map<String, Phase> phases = new LinkedHashMap<>();
    private final ArrayDeque<Device.Event> pool = new ArrayDeque<>();
    private final List<Device.Event> created = new ArrayList<>();
    private final DeviceMemory slots;   // MAX_GRAPH_PHASES x (start ns, sum ns), unsigned 64-bit
    private int slotsUsed;
    private boolean closed;

    /**
     * @param slots device memory for {@link #MAX_GRAPH_PHASES} (start, sum) pairs, possibly
     *              uninitialised: zeroed here, because {@code timer_mark} adds to the sums and
     *              {@link #drainMillis} reads every used pair
     */
    CudaTimer(CudaBackend backend, DeviceMemory slots) {
        this.backend = backend;
        this.slots = slots;
        backend.call("timer", () -> backend.device().memsetD32(slots.ptr, 0, slots.bytes / Integer.BYTES));
    }

    private Phase phase(String name) {
        return phases.computeIfAbsent(name, Phase::new);
    }

    private Device.Event take() {
        Device.Event e = pool.poll();
        if (e == null) {
            e = backend.device().newEvent();
            created.add(e);
        }
        return e;
    }

    @Override
    public void begin(String name) {
        checkOpen();
        Phase p = phase(name);
        if (p.openEvent != null || p.openInCapture) {
            throw new IllegalStateException("timer: begin(\"" + name + "\") twice without end");
        }
        backend.call("timer.begin", () -> {
            if (backend.capturing()) {
                if (p.slot < 0) {
                    if (slotsUsed == MAX_GRAPH_PHASES) {
                        throw new IllegalStateException("timer: more than " + MAX_GRAPH_PHASES
                                + " phases inside captured graphs");
                    }
                    p.slot = slotsUsed++;
                }
                backend.ops().timerMark(slots.ptr, p.slot, false);
                p.openInCapture = true;
            } else {
                Device.Event e = take();
                e.record();
                p.openEvent = e;
            }
        });
    }

    @Override
    public void end(String name) {
        checkOpen();
        Phase p = phases.get(name);
        boolean capturing = backend.capturing();
        if (p == null || (capturing ? !p.openInCapture : p.openEvent == null)) {
            throw new IllegalStateException("timer: end(\"" + name + "\") without begin"
                    + (p != null && (p.openInCapture || p.openEvent != null)
                       ? " (begun " + (capturing ? "outside" : "inside") + " a graph capture)" : ""));
        }
        backend.call("timer.end", () -> {
            if (capturing) {
                backend.ops().timerMark(slots.ptr, p.slot, true);
                p.openInCapture = false;
            } else {
                Device.Event e = take();
                e.record();
                p.pairs.add(new Device.Event[] {p.openEvent, e});
                p.openEvent = null;
            }
        });
    }

    /** Called by the backend when a capture ends: phases left open inside it are an error. */
    void captureEnded() {
        StringBuilder open = new StringBuilder();
        for (Phase p : phases.values()) {
            if (p.openInCapture) {
                p.openInCapture = false;
                open.append(open.length() == 0 ? "" : ", ").append(p.name);
            }
        }
        if (open.length() > 0) {
            throw new IllegalStateException("timer: phase(s) " + open
                    + " begun but not ended inside a repeatable() body");
        }
    }

    @Override
    public Map<String, Double> drainMillis() {
        checkOpen();
        backend.requireNotCapturing("timer.drainMillis");
        Map<String, Double> out = new LinkedHashMap<>();
        backend.call("timer.drainMillis", () -> {
            backend.device().synchronize();
            long[] device = slotsUsed == 0 ? new long[0] : backend.readLongs(slots.ptr, 2 * slotsUsed);
            for (Iterator<Phase> it = phases.values().iterator(); it.hasNext(); ) {
                Phase p = it.next();
                double total = 0;
                for (Device.Event[] pair : p.pairs) {
                    total += pair[1].millisSince(pair[0]);
                    pool.add(pair[0]);
                    pool.add(pair[1]);
                }
                p.pairs.clear();
                if (p.slot >= 0) {
                    total += device[2 * p.slot + 1] / 1e6;
                }
                out.put(p.name, total);
                if (p.slot < 0 && p.openEvent == null) {
                    it.remove();
                }
            }
            if (slotsUsed > 0) {
                for (int s = 0; s < slotsUsed; s++) {
                    backend.device().memsetD32(slots.ptr.withByteOffset((2L * s + 1) * Long.BYTES), 0, 2);
                }
            }
        });
        return out;
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("timer is closed (its backend was closed)");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (Device.Event e : created) {
            e.close();
        }
        created.clear();
        pool.clear();
        phases.clear();
        slots.close();
    }
}
