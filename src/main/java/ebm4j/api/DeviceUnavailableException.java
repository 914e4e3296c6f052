package ebm4j.api;

/**
 * The device a {@link TrainedModel} was asked to compute on cannot be used: {@link Device#GPU}
 * without a usable GPU (the message says what is missing: driver, device, kernels), or the CPU
 * in a JVM started without {@code --add-modules jdk.incubator.vector}.
 */
public class DeviceUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** @param message what is unavailable and what to do instead */
    public DeviceUnavailableException(String message) {
        super(message);
    }

    /**
     * @param message what is unavailable and what to do instead
     * @param cause   the error that made it unavailable
     */
    public DeviceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
