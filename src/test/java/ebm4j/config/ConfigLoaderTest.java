package ebm4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ebm4j.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    @Test
    void seedPresetIsTheOriginalDocumentedRecipeWithEveryExtensionOff() {
        TrainConfig c = ConfigLoader.load("seed", Map.of());
        assertEquals(15, c.epochs());
        assertEquals(64, c.batchSize());
        assertEquals(50, c.langevinSteps());
        assertEquals(0.1f, c.langevinAlpha());
        assertEquals(0.01f, c.langevinSigma());
        assertEquals(0.001f, c.lr());
        assertEquals("ebm_training.log", c.logFile());
        assertEquals(List.of(512, 512, 512), c.hiddenDims());
        assertEquals(5, c.figureEvery());
        assertEquals(TrainConfig.EnergySign.REFERENCE, c.energySign());
        assertEquals(TrainConfig.Objective.JOINT, c.objective());
        assertEquals(0f, c.energyL2());
        assertEquals(0f, c.langevinGradClip());
        assertEquals(0f, c.dataNoise());
        assertEquals(0, c.warmupSteps());
        assertEquals(0.9f, c.adamBeta1());
        assertEquals(0.999f, c.adamBeta2());
        assertEquals(0, c.replaySize());
        assertEquals(1f, c.genWeight());
        assertEquals(TrainConfig.LrSchedule.CONSTANT, c.lrSchedule());
    }

    @Test
    void defaultsAreTheRecommendedJointRecipe() {
        TrainConfig c = ConfigLoader.load(null, Map.of());
        assertEquals(TrainConfig.EnergySign.JEM, c.energySign());
        assertEquals(TrainConfig.Objective.JOINT, c.objective());
        assertTrue(c.replaySize() > 0, "persistent chains");
        assertTrue(c.genWeight() > 0 && c.genWeight() < 1, "a down-weighted contrastive term");
        assertEquals(TrainConfig.LrSchedule.LINEAR, c.lrSchedule());
        assertEquals(c, ConfigLoader.load("default", Map.of()), "the default preset is the defaults");
    }

    @Test
    void seedCodePresetChangesOnlyAlphaAndSigmaOfTheSeedRecipe() {
        TrainConfig seed = ConfigLoader.load("seed", Map.of());
        TrainConfig code = ConfigLoader.load("seed-code", Map.of());
        assertEquals(0.5f, code.langevinAlpha());
        assertEquals(0.05f, code.langevinSigma());
        Map<String, String> backToSeed = new HashMap<>(code.toProperties());
        backToSeed.put("langevin_alpha", "0.1");
        backToSeed.put("langevin_sigma", "0.01");
        assertEquals(seed, ConfigLoader.fromProperties(backToSeed, "test"));
    }

    @Test
    void theAugmentedPresetIsTheDefaultRecipe() {
        assertEquals(ConfigLoader.load(null, Map.of()), ConfigLoader.load("augmented", Map.of()));
    }

    @Test
    void thePlainPresetIsTheDefaultWithoutTranslationsAndWithTheEarlierEnergyWeights() {
        TrainConfig plain = ConfigLoader.load("plain", Map.of());
        assertEquals(0, plain.augmentShift());
        assertEquals(0.05f, plain.genWeight());
        assertEquals(0.01f, plain.energyL2());
        Map<String, String> backToDefault = new HashMap<>(plain.toProperties());
        TrainConfig defaults = ConfigLoader.load(null, Map.of());
        for (String key : List.of("augment_shift", "augment_target", "gen_weight", "energy_l2")) {
            backToDefault.put(key, defaults.toProperties().get(key));
        }
        assertEquals(defaults, ConfigLoader.fromProperties(backToDefault, "test"));
    }

    @Test
    void everyBundledPresetLoads() {
        for (String preset : ConfigLoader.presets()) {
            assertEquals(ConfigLoader.KEYS.size(), ConfigLoader.load(preset, Map.of()).toProperties().size(), preset);
        }
    }

    @Test
    void aFileExtendsAPresetAndOverridesIt(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("mine.properties");
        Files.writeString(f, "extends=seed\nlangevin_steps=7\n");
        TrainConfig c = ConfigLoader.load(f.toString(), Map.of());
        assertEquals(7, c.langevinSteps());
        assertEquals(TrainConfig.EnergySign.REFERENCE, c.energySign(), "from the seed preset");
        assertEquals(15, c.epochs());
    }

    @Test
    void anExtendsCycleIsAClearError(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a.properties"), b = dir.resolve("b.properties");
        Files.writeString(a, "extends=" + b + "\n");
        Files.writeString(b, "extends=" + a + "\n");
        UserException e = assertThrows(UserException.class, () -> ConfigLoader.load(a.toString(), Map.of()));
        assertTrue(e.getMessage().contains("extends"), e.getMessage());
    }

    @Test
    void commandLineBeatsFileBeatsDefaults(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("my.properties");
        Files.writeString(f, "batch_size=32\nlangevin_steps=7\n");
        TrainConfig c = ConfigLoader.load(f.toString(), Map.of("batch_size", "16"));
        assertEquals(16, c.batchSize());
        assertEquals(7, c.langevinSteps());
        assertEquals(ConfigLoader.load(null, Map.of()).epochs(), c.epochs());
    }

    @Test
    void propertiesRoundTrip() {
        TrainConfig c = ConfigLoader.load("seed-code", Map.of("hidden_dims", "64,32", "energy_sign", "jem"));
        assertEquals(c, ConfigLoader.fromProperties(c.toProperties(), "test"));
    }

    /** Given replay_reinit alone, on the command line or in a file, the last epoch restarts chains like the others. */
    @Test
    void replayReinitFinalFollowsAGivenReplayReinit(@TempDir Path dir) throws IOException {
        assertEquals(0.2f, ConfigLoader.load(null, Map.of("replay_reinit", "0.2")).replayReinitFinal());
        assertEquals(0.3f, ConfigLoader.load(null, Map.of("replay_reinit", "0.2", "replay_reinit_final", "0.3"))
                .replayReinitFinal());
        assertEquals(0.05f, ConfigLoader.load(null, Map.of()).replayReinitFinal(), "the default");
        Path f = dir.resolve("mine.properties");
        Files.writeString(f, "replay_reinit_final=0.4\n");
        assertEquals(0.4f, ConfigLoader.load(f.toString(), Map.of("replay_reinit", "0.2")).replayReinitFinal(),
                "the file gives it");
    }

    /** A run saved before replay_reinit_final existed restarted its last epoch's chains at its own replay_reinit. */
    @Test
    void aCheckpointWithoutReplayReinitFinalKeepsItsReplayReinitToTheEnd() {
        Map<String, String> saved = new HashMap<>(
                ConfigLoader.load(null, Map.of("replay_reinit", "0.25")).toProperties());
        saved.remove("replay_reinit_final");
        assertEquals(0.25f, ConfigLoader.fromProperties(saved, "test").replayReinitFinal());
        saved.put("replay_reinit_final", "0.5");
        assertEquals(0.5f, ConfigLoader.fromProperties(saved, "test").replayReinitFinal(), "a saved value stands");
    }

    @Test
    void unknownKeyInAFileIsNamed(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.properties");
        Files.writeString(f, "batchsize=32\n");
        UserException e = assertThrows(UserException.class, () -> ConfigLoader.load(f.toString(), Map.of()));
        assertTrue(e.getMessage().contains("batchsize") && e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void missingConfigFileIsAUserException() {
        UserException e = assertThrows(UserException.class, () -> ConfigLoader.load("/nonexistent/x.properties", Map.of()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "batch_size|0", "batch_size|-3", "batch_size|sixty", "langevin_steps|-1", "langevin_alpha|NaN",
        "langevin_sigma|Infinity", "lr|0", "lr|-0.1", "lr|nan", "hidden_dims|512,0,512", "hidden_dims|abc",
        "epochs|0", "energy_sign|up", "adam_beta1|1", "log_file|logs/", "log_file|..", "seed|1.5"})
    void badValuesAreRejectedWithTheKeyAndValue(String key, String value) {
        UserException e = assertThrows(UserException.class, () -> ConfigLoader.load(null, Map.of(key, value)));
        assertTrue(e.getMessage().startsWith(key + " must be") && e.getMessage().contains("'" + value + "'"),
                e.getMessage());
    }

    /** noise_chains only makes sense beside a pool, inside a batch, for whole training steps. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "noise_chains=20,replay_size=0|needs the persistent pool",
        "noise_chains=20,objective=classifier|needs the persistent pool",
        "noise_chains=70|must be below batch_size (64)",
        "noise_chains=20,noise_chain_life=210|must be a multiple of langevin_steps (20)"})
    void inconsistentNoiseChainsAreNamed(String settings, String message) {
        Map<String, String> values = new java.util.HashMap<>();
        for (String kv : settings.split(",")) {
            values.put(kv.split("=")[0], kv.split("=")[1]);
        }
        UserException e = assertThrows(UserException.class, () -> ConfigLoader.load(null, values));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(20, ConfigLoader.load(null, Map.of("noise_chains", "20")).noiseChains(), "the defaults take 20");
    }
}
