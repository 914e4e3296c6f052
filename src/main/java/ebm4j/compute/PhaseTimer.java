package ebm4j.compute;

import java.util.Map;

/**
 * Accumulates elapsed time per named phase. {@link #begin}/{@link #end} bracket work queued on the
 * backend; on the GPU they record CUDA events, so the figures are device time, not host time.
 */
public interface PhaseTimer {
    void begin(String phase);

    void end(String phase);

    /** Milliseconds per phase since the last call (waits for queued work), then resets. */
    Map<String, Double> drainMillis();
}
