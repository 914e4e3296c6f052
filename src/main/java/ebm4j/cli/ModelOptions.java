package ebm4j.cli;

import ebm4j.UserException;
import ebm4j.model.Checkpoint;
import ebm4j.sample.SamplerSpec;
import ebm4j.sample.StartPool;
import ebm4j.sample.Samplers;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Options of commands that load a trained model and may sample from it. */
final class ModelOptions {
    /** Where sampling chains start. */
    enum Start {
        /** The checkpoint's persistent-chain pool when it has one, else uniform noise. */
        AUTO,
        /** The pool (an error without one). */
        POOL,
        /** Uniform noise. */
        NOISE;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Option(names = {"--checkpoint", "-c"}, required = true, paramLabel = "CKPT",
            description = "Checkpoint folder, its model.safetensors, or a run folder (newest checkpoint).")
    Path checkpoint;

    @Option(names = "--sampler", paramLabel = "NAME",
            description = "Sampler: langevin or annealed (default: the checkpoint's).")
    String sampler;

    @Option(names = "--steps", paramLabel = "N", description = "Sampler steps (default: the checkpoint's"
            + " langevin_steps; from noise, its noise_chain_life when it was trained with noise_chains, else "
            + SamplerSpec.FROM_NOISE_STEPS + " when it was trained with persistent chains).")
    Integer steps;

    @Option(names = "--alpha", paramLabel = "A", description = "Step size (default: the checkpoint's).")
    Float alpha;

    @Option(names = "--sigma", paramLabel = "S", description = "Noise std (default: the checkpoint's).")
    Float sigma;

    @Option(names = "--clamp-every", paramLabel = "N", description = "Clamp the images to [-1, 1] every N steps"
            + " (0 = only at the end). Default: 1 for a model trained with persistent chains, else 0, as it was"
            + " trained.")
    Integer clampEvery;

    @Option(names = "--start-noise-max", paramLabel = "M", description = "Chains from noise start as uniform noise"
            + " in [-1, M], M in (-1, 1]. Default: " + SamplerSpec.DARK_START_MAX + " for a model trained with"
            + " persistent chains (dark noise: the darker half of the range), else 1, as it was trained.")
    Float startNoiseMax;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Sampling seed (default 0).")
    long seed;

    @Option(names = "--init", defaultValue = "auto", paramLabel = "START",
            description = "Where chains start: ${COMPLETION-CANDIDATES}. pool: rows of the checkpoint's persistent-chain"
                    + " pool, drawn in proportion to exp(-E/T); noise: uniform noise; auto (default): the pool when the"
                    + " checkpoint has one.")
    Start init;

    @Option(names = "--start-temperature", paramLabel = "T", defaultValue = "" + StartPool.DEFAULT_TEMPERATURE,
            description = "Temperature T of the choice of pool rows (> 0; 1 = the model's own density, lower ="
                    + " sharper, fewer rows that restarted from noise). Default: ${DEFAULT-VALUE}.")
    double startTemperature;

    /** The images chains start from: the checkpoint's pool, or null for uniform noise. */
    StartPool startPool(Checkpoint.Loaded ck) {
        if (!(startTemperature > 0) || !Double.isFinite(startTemperature)) {
            throw new UserException("--start-temperature must be finite and > 0, got " + startTemperature);
        }
        float[] pool = savedPool(ck);
        if (init == Start.POOL && pool == null) {
            throw new UserException("--init pool: checkpoint " + ck.dir()
                    + " has no persistent-chain pool (it was trained with replay_size 0)");
        }
        return startsFromNoise(ck) ? null : new StartPool(pool, startTemperature);
    }

    private static float[] savedPool(Checkpoint.Loaded ck) {
        return ck.state() == null ? null : ck.state().replay();
    }

    /** Whether chains start from uniform noise: asked for, or the checkpoint has no pool. */
    private boolean startsFromNoise(Checkpoint.Loaded ck) {
        return init == Start.NOISE || savedPool(ck) == null;
    }

    /**
     * The chain: the checkpoint's training settings unless overridden (see {@link SamplerSpec#forStart}
     * for chains from noise); all values checked.
     */
    SamplerSpec chain(Checkpoint.Loaded ck) {
        SamplerSpec trained = SamplerSpec.forStart(ck.config(), startsFromNoise(ck));
        String kind = sampler != null ? sampler : trained.kind();
        Samplers.factory(kind); // an unknown name fails here, with the registered names
        int n = steps != null ? steps : trained.steps();
        float a = alpha != null ? alpha : trained.alpha();
        float s = sigma != null ? sigma : trained.sigma();
        int every = clampEvery != null ? clampEvery : trained.clampEvery();
        float max = startNoiseMax != null ? startNoiseMax : trained.startMax();
        if (n < 0 || n > 100_000 || !(a >= 0) || !(s >= 0) || !Float.isFinite(a) || !Float.isFinite(s)
                || every < 0 || !(max > -1f && max <= 1f)) {
            throw new UserException("--steps must be in [0, 100000], --alpha and --sigma finite and >= 0,"
                    + " --clamp-every >= 0, --start-noise-max in (-1, 1], got " + n + ", " + a + ", " + s + ", "
                    + every + ", " + max);
        }
        return trained.with(kind, n, a, s).clampedEvery(every).startingBelow(max);
    }
}
