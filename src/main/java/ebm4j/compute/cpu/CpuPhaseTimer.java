package ebm4j.compute.cpu;

import ebm4j.compute.PhaseTimer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Phase times on the host clock; every CPU op is synchronous, so host time is compute time. */
final class CpuPhaseTimer implements PhaseTimer {
    /** Per phase, in order of first use since the last drain. */
    private static final class Phase {
        long startedAt = -1;   // System.nanoTime() of the open begin(), or -1
        long totalNanos;
    }

    private final Map<String, Phase> phases = new LinkedHashMap<>();

    @Override
    public void begin(String phase) {
        Phase p = phases.computeIfAbsent(phase, name -> new Phase());
        if (p.startedAt >= 0) {
            throw new IllegalStateException("timer: begin(\"" + phase + "\") twice without end");
        }
        p.startedAt = System.nanoTime();
    }

    @Override
    public void end(String phase) {
        long now = System.nanoTime();
        Phase p = phases.get(phase);
        if (p == null || p.startedAt < 0) {
            throw new IllegalStateException("timer: end(\"" + phase + "\") without begin");
        }
        p.totalNanos += now - p.startedAt;
        p.startedAt = -1;
    }

    /** Milliseconds per phase since the last drain; phases still open keep running. */
    @Override
    public Map<String, Double> drainMillis() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, Phase>> it = phases.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Phase> e = it.next();
            Phase p = e.getValue();
            out.put(e.getKey(), p.totalNanos / 1e6);
            p.totalNanos = 0;
            if (p.startedAt < 0) {
                it.remove();
            }
        }
        return out;
    }
}
