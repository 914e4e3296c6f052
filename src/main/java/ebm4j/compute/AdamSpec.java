package ebm4j.compute;

/**
 * Adam hyperparameters. The learning rate at step t (1-based) is
 * {@code lr * warm(t) * decay(t)}, computed in double and rounded to float once, where
 * {@code warm(t) = min(1, t / warmupSteps)} when warmupSteps > 0 (else 1) and
 * {@code decay(t) = (D - min(t, D) + 1) / D} with {@code D = decaySteps} when decaySteps > 0
 * (else 1): a linear fall from lr at the first step to lr / D at the last, which needs only exact
 * arithmetic, so both backends compute the same float.
 */
public record AdamSpec(float lr, float beta1, float beta2, float eps, int warmupSteps, long decaySteps) {
    public static AdamSpec standard(float lr) {
        return new AdamSpec(lr, 0.9f, 0.999f, 1e-8f, 0, 0);
    }

    /** The learning rate of step {@code t} (1-based), as both backends compute it. */
    public float lrAt(long t) {
        double warm = warmupSteps > 0 ? Math.min(1.0, (double) t / warmupSteps) : 1.0;
        double decay = decaySteps > 0 ? (double) (decaySteps - Math.min(t, decaySteps) + 1) / decaySteps : 1.0;
        return (float) (lr * warm * decay);
    }
}
