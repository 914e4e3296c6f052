package ebm4j.cli;

import sun.misc.Signal;

/**
 * SIGINT/SIGTERM handling for training: the first signal asks the trainer to finish its batch and
 * save a checkpoint; the process then exits with 128 + the signal number (130 or 143). A second
 * signal while saving is ignored rather than corrupting the checkpoint.
 */
final class Signals {
    private static volatile int received;

    private Signals() {}

    /** Installs handlers that call {@code stop}. */
    static void onStop(Runnable stop) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), s -> {
                    if (received == 0) {
                        received = s.getNumber();
                        System.err.println("\nebm4j: SIG" + name + " received: finishing the batch and saving a checkpoint");
                        stop.run();
                    }
                });
            } catch (IllegalArgumentException e) {
                // the signal is not available on this platform or is reserved by the JVM: keep defaults
            }
        }
    }

    /** The signal number that stopped the run, or 0. */
    static int received() {
        return received;
    }
}
