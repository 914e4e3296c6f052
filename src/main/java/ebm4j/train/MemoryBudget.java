package ebm4j.train;

import com.sun.management.HotSpotDiagnosticMXBean;
import ebm4j.UserException;
import ebm4j.config.Hyperparameters;
import ebm4j.config.TrainConfig;
import ebm4j.data.Dataset;
import ebm4j.model.ModelSize;
import ebm4j.model.ModelSpec;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * Whether a training run fits in memory, checked before its run folder is created: the model's
 * parameter count ({@link ModelSize#MAX_PARAMETERS}), the Java heap that checkpoints copy the
 * weights and Adam moments into, and on the CPU the direct memory its buffers live in. An
 * estimate, not an exact account: it errs on the generous side for activations, so that what it
 * lets through does not fail deep inside with an OutOfMemoryError.
 */
final class MemoryBudget {
    private MemoryBudget() {}

    /**
     * @param onCpu true when the CPU backend will train (its buffers are direct memory of this JVM)
     */
    static void check(ModelSpec spec, TrainConfig config, Dataset train, boolean onCpu) {
        String model = Hyperparameters.HIDDEN_DIMS.optionNames().get(0) + " "
                + Hyperparameters.HIDDEN_DIMS.format(config.hiddenDims()) + " on " + spec.input() + " images";
        long params = ModelSize.parameters(spec, model);
        long pool = TrainingState.usesReplay(config)
                ? (long) (ChainPools.poolRows(config) + config.noiseChainPoolRows()) * spec.inputs() : 0;
        ModelSize.requireHeap(4 * (3 * params + pool), "training " + model + " (" + String.format(java.util.Locale.ROOT, "%,d", params)
                + " parameters; each checkpoint copies the weights and both Adam moments)");
        if (!onCpu) {
            return; // device memory is the backend's to report; it is not known before the device opens
        }
        long widths = spec.inputs() + spec.classes();
        for (int w : spec.hidden()) {
            widths += w;
        }
        // parameters, gradients, two Adam moments; the training set; the pool and its scratch rows;
        // activations and gradients of a pass's 2 or 3 batches per layer, with room for the sampler's buffers
        long floats = 4 * params + (long) train.count() * train.pixels() + pool
                + (long) config.batchSize() * spec.inputs() + 8L * config.passBatches() * config.batchSize() * widths;
        long limit = maxDirectMemory(), used = directMemoryUsed();
        if (4 * floats > limit - used) {
            throw new UserException("training " + model + " on the CPU needs about " + ModelSize.mib(4 * floats)
                    + " of direct memory, but this JVM allows " + ModelSize.mib(limit - used)
                    + " more: use smaller hidden widths or batches, or raise -Xmx / -XX:MaxDirectMemorySize"
                    + " (EBM4J_JAVA_OPTS)");
        }
    }

    /** The JVM's direct-memory limit: -XX:MaxDirectMemorySize, or by default the maximum heap. */
    private static long maxDirectMemory() {
        try {
            long set = Long.parseLong(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("MaxDirectMemorySize").getValue());
            return set > 0 ? set : Runtime.getRuntime().maxMemory();
        } catch (RuntimeException | LinkageError e) {
            // LinkageError: a runtime without the jdk.management module (a jlinked one) has no
            // HotSpotDiagnosticMXBean; then assume the JVM's default, direct memory up to the heap limit
            return Runtime.getRuntime().maxMemory();
        }
    }

    private static long directMemoryUsed() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return 0;
    }
}
