package ebm4j.compute.cuda;

/**
 * Issues kernel launches on the backend's stream. The seam between the argument marshalling in
 * {@link KernelOps} and the driver, so that the marshalling can be tested without a GPU.
 */
public interface Launcher {
    /** Checks {@code launch} against its kernel's signature and issues it (asynchronously). */
    void launch(Launch launch);
}
