package ebm4j.compute;

/**
 * Adam hyperparameters. The learning rate at step t (1-based) is
 * {@code lr * min(1, t / warmupSteps)} when warmupSteps > 0.
 */
public record AdamSpec(float lr, float beta1, float beta2, float eps, int warmupSteps) {
    public static AdamSpec standard(float lr) {
        return new AdamSpec(lr, 0.9f, 0.999f, 1e-8f, 0);
    }
}
