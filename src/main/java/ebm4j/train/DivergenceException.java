package ebm4j.train;

import ebm4j.UserException;
import java.nio.file.Path;

/**
 * Training produced non-finite values or energies beyond the configured bound. Carries the last
 * checkpoint written before it happened (null if none), so the caller can roll back to it.
 */
public final class DivergenceException extends UserException {
    private static final long serialVersionUID = 1L;
    private final transient Path lastGoodCheckpoint;

    public DivergenceException(String message, Path lastGoodCheckpoint) {
        super(message);
        this.lastGoodCheckpoint = lastGoodCheckpoint;
    }

    public Path lastGoodCheckpoint() {
        return lastGoodCheckpoint;
    }
}
