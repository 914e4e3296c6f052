package ebm4j.train;

import ebm4j.UserException;
import ebm4j.compute.Counters;
import ebm4j.config.TrainConfig;
import ebm4j.data.Dataset;
import ebm4j.model.Checkpoint;
import ebm4j.model.Models;
import ebm4j.model.ModelSpec;

/**
 * Checks a training checkpoint against the run that is about to continue from it, before
 * anything is allocated: the model the config and the data ask for, the position inside this
 * training set's epochs, the Adam step that position implies, and the persistent-chain pool's
 * rows. {@link Checkpoint#load} has checked what the files say on their own; this checks what
 * they say against the data in use.
 */
final class ResumeCheck {
    private ResumeCheck() {}

    static void check(Checkpoint.Loaded ck, TrainConfig config, Dataset train) {
        Checkpoint.TrainState st = ck.state();
        if (st == null) {
            throw new UserException("checkpoint " + ck.dir() + " holds weights only; --resume needs a training checkpoint"
                    + " (one with " + Checkpoint.STATE_FILE + ")");
        }
        ModelSpec wanted = ModelSpec.of(config, train.shape(), train.classes());
        if (!ck.spec().equals(wanted)) {
            throw new UserException("checkpoint " + ck.dir() + " holds " + describe(ck.spec()) + " but the data ("
                    + train.name() + ") needs " + describe(wanted));
        }
        int batchesPerEpoch = (train.count() + config.batchSize() - 1) / config.batchSize();
        if (st.batchInEpoch() >= batchesPerEpoch) {
            throw new UserException("checkpoint " + ck.dir() + " stands at batch " + st.batchInEpoch() + " of an epoch, but "
                    + train.name() + " has only " + batchesPerEpoch + " batches per epoch (another data set?)");
        }
        long step = (long) st.epoch() * batchesPerEpoch + st.batchInEpoch();
        if (st.counters()[Counters.ADAM_T] != step) {
            throw new UserException("checkpoint " + ck.dir() + ": its counters (Adam step " + st.counters()[Counters.ADAM_T]
                    + ") disagree with its position (epoch " + st.epoch() + ", batch " + st.batchInEpoch() + " of "
                    + batchesPerEpoch + " is step " + step + "); the state file is damaged or from another data set");
        }
        int poolRows = TrainingState.usesReplay(config) ? ChainPools.poolRows(config) : 0;
        int saved = st.replay() == null ? 0 : st.replay().length / ck.spec().inputs();
        if (saved != poolRows) {
            throw new UserException("checkpoint " + ck.dir() + " holds a persistent-chain pool of " + saved + " rows, but its"
                    + " config (replay_size " + config.replaySize() + ", batch_size " + config.batchSize() + ") needs "
                    + poolRows);
        }
        int shortRows = TrainingState.usesReplay(config) ? config.noiseChainPoolRows() : 0;
        int savedShort = st.noiseChains() == null ? 0 : st.noiseChains().length / ck.spec().inputs();
        if (savedShort != shortRows) {
            throw new UserException("checkpoint " + ck.dir() + " holds " + savedShort + " short-lived chains, but its"
                    + " config (noise_chains " + config.noiseChains() + ", noise_chain_life " + config.noiseChainLife()
                    + ", langevin_steps " + config.langevinSteps() + ") needs " + shortRows);
        }
    }

    private static String describe(ModelSpec spec) {
        return Models.type(spec.kind()).describe(spec) + " on " + spec.input() + " images";
    }
}
