package ebm4j.config;

import ebm4j.UserException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hyperparameters of a resumed run: the checkpoint's, with the values given on the command
 * line applied where their descriptor allows it ({@link Hyperparameter.OnResume#APPLY}). Any other
 * value is refused unless it repeats the run's own, and {@code --config} is refused outright, so
 * nothing given with {@code --resume} is silently ignored.
 */
public final class ResumeOverrides {
    private ResumeOverrides() {}

    /**
     * @param checkpointed the checkpoint's hyperparameters
     * @param given        values from the command line, by key
     * @param configFile   the {@code --config} given, or null
     * @throws UserException naming every refused flag, or a value that is not valid
     */
    public static TrainConfig apply(TrainConfig checkpointed, Map<String, String> given, String configFile) {
        if (configFile != null) {
            throw new UserException("--config " + configFile + " cannot be combined with --resume: a resumed run keeps"
                    + " its checkpoint's hyperparameters; only " + applying() + " may be given");
        }
        Map<String, String> applied = new LinkedHashMap<>();
        List<String> refused = new ArrayList<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            Hyperparameter<?> h = Hyperparameters.byKey(e.getKey());
            if (h == null) {
                throw new UserException("unknown config key '" + e.getKey() + "' on the command line");
            }
            // validated like any other input, so a bad value is reported as such
            TrainConfig changed = ConfigLoader.with(checkpointed, Map.of(h.key(), e.getValue()), "the command line");
            if (h.onResume() == Hyperparameter.OnResume.APPLY) {
                applied.put(h.key(), e.getValue());
            } else if (!changed.get(h).equals(checkpointed.get(h))) {
                refused.add(h.optionNames().get(0) + " " + e.getValue() + " (the run has " + h.format(checkpointed.get(h))
                        + ")");
            }
        }
        if (!refused.isEmpty()) {
            throw new UserException("--resume keeps the run's hyperparameters, refused: " + String.join(", ", refused)
                    + "; only " + applying() + " apply to a resumed run (README, \"Resuming\"); start a new run to"
                    + " change the others");
        }
        return ConfigLoader.with(checkpointed, applied, "the command line");
    }

    /** The options whose values apply on resume, e.g. "--epochs, --figure-every and --lr". */
    static String applying() {
        List<String> names = new ArrayList<>();
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            if (h.onResume() == Hyperparameter.OnResume.APPLY) {
                names.add(h.optionNames().get(0));
            }
        }
        return names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }
}
