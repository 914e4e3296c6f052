package ebm4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.UserException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rule for hyperparameters given with --resume: applied per descriptor, or refused, never ignored. */
class ResumeOverridesTest {
    private static final TrainConfig RUN = ConfigLoader.load(null, Map.of("hidden_dims", "32,32", "epochs", "3"));

    @Test
    void theApplyingOnesAreEpochsFigureEveryReplayReinitFinalAndLr() {
        assertEquals("--epochs, --figure-every, --replay-reinit-final and --lr", ResumeOverrides.applying());
        TrainConfig c = ResumeOverrides.apply(RUN, Map.of("epochs", "5", "lr", "0.0005", "figure_every", "2",
                "replay_reinit_final", "0.25"), null);
        assertEquals(5, c.epochs());
        assertEquals(0.0005f, c.lr());
        assertEquals(2, c.figureEvery());
        assertEquals(0.25f, c.replayReinitFinal());
        assertEquals(RUN.hiddenDims(), c.hiddenDims());
        assertEquals(RUN, ResumeOverrides.apply(RUN, Map.of(), null));
    }

    @Test
    void fixedOnesAreRefusedTogetherUnlessTheyRepeatTheRunsValue() {
        Map<String, String> given = new LinkedHashMap<>();
        given.put("hidden_dims", "256,256");
        given.put("lr", "0.5");
        given.put("seed", "7");
        UserException e = assertThrows(UserException.class, () -> ResumeOverrides.apply(RUN, given, null));
        assertTrue(e.getMessage().contains("--hidden-dims 256,256 (the run has 32,32), --seed 7 (the run has 0)"),
                e.getMessage());
        TrainConfig same = ResumeOverrides.apply(RUN, Map.of("hidden_dims", "[32, 32]", "seed", "0"), null);
        assertEquals(RUN, same);
    }

    @Test
    void badValuesAndConfigFilesAreRefused() {
        UserException e = assertThrows(UserException.class, () -> ResumeOverrides.apply(RUN, Map.of("lr", "banana"), null));
        assertTrue(e.getMessage().startsWith("lr must be"), e.getMessage());
        e = assertThrows(UserException.class, () -> ResumeOverrides.apply(RUN, Map.of("hidden_dims", "x"), null));
        assertTrue(e.getMessage().startsWith("hidden_dims must be"), e.getMessage());
        for (String file : new String[] {"seed", "/nonexistent"}) {
            e = assertThrows(UserException.class, () -> ResumeOverrides.apply(RUN, Map.of(), file));
            assertTrue(e.getMessage().startsWith("--config " + file + " cannot be combined with --resume"),
                    e.getMessage());
        }
    }

    @Test
    void everyDescriptorSaysWhatResumeDoesWithIt() {
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            assertSame(h.key().equals("epochs") || h.key().equals("figure_every") || h.key().equals("lr")
                    || h.key().equals("replay_reinit_final") ? Hyperparameter.OnResume.APPLY
                    : Hyperparameter.OnResume.FIXED, h.onResume(), h.key());
        }
    }
}
