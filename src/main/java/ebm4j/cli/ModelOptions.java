package ebm4j.cli;

import ebm4j.config.TrainConfig;
import ebm4j.model.Checkpoint;
import ebm4j.train.LangevinSampler;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options of commands that load a trained model and may sample from it. */
final class ModelOptions {
    @Option(names = {"--checkpoint", "-c"}, required = true, paramLabel = "CKPT",
            description = "Checkpoint folder, its model.safetensors, or a run folder (newest checkpoint).")
    Path checkpoint;

    @Option(names = "--steps", paramLabel = "N", description = "Langevin steps (default: the checkpoint's).")
    Integer steps;

    @Option(names = "--alpha", paramLabel = "A", description = "Langevin step size (default: the checkpoint's).")
    Float alpha;

    @Option(names = "--sigma", paramLabel = "S", description = "Langevin noise std (default: the checkpoint's).")
    Float sigma;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Sampling seed (default 0).")
    long seed;

    @Option(names = "--init", defaultValue = "auto", paramLabel = "auto|pool|noise",
            description = "Where chains start: rows of the checkpoint's persistent-chain pool, drawn in"
                    + " proportion to exp(-E) (pool), uniform noise (noise), or the pool when the checkpoint"
                    + " has one (auto, the default).")
    String init;

    /** The images chains start from: the checkpoint's pool, or null for uniform noise. */
    float[] startPool(Checkpoint.Loaded ck) {
        float[] pool = ck.state() == null ? null : ck.state().replay();
        switch (init) {
            case "auto":
                return pool;
            case "noise":
                return null;
            case "pool":
                if (pool == null) {
                    throw new ebm4j.UserException("--init pool: checkpoint " + ck.dir()
                            + " has no persistent-chain pool (it was trained with replay_size 0)");
                }
                return pool;
            default:
                throw new ebm4j.UserException("--init must be auto, pool or noise, got '" + init + "'");
        }
    }

    /** The chain: the checkpoint's training settings unless overridden; all values checked. */
    LangevinSampler.Chain chain(TrainConfig config) {
        int n = steps != null ? steps : config.langevinSteps();
        float a = alpha != null ? alpha : config.langevinAlpha();
        float s = sigma != null ? sigma : config.langevinSigma();
        if (n < 0 || !(a >= 0) || !(s >= 0) || !Float.isFinite(a) || !Float.isFinite(s)) {
            throw new ebm4j.UserException("--steps, --alpha and --sigma must be finite and >= 0, got "
                    + n + ", " + a + ", " + s);
        }
        return new LangevinSampler.Chain(n, a, s, config.langevinGradClip(), config.energySign().sign());
    }
}
