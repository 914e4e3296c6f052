package ebm4j;

/**
 * A problem with the user's input (files, flags, configuration, environment) rather than with
 * ebm4j itself. The command line prints its message as one line and exits with code 2, so the
 * message must name the problem and, where possible, the fix.
 */
public class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
