package ebm4j.model;

import ebm4j.UserException;
import ebm4j.compute.Backend;
import java.util.List;
import java.util.Map;

/**
 * The registered model kinds, by the name the {@code model} hyperparameter uses. Adding a model
 * means one class (implementing {@link EnergyModel}, with its {@link ModelType}) and one line here;
 * {@code ModelContractTest} then runs the contract on it.
 */
public final class Models {
    private Models() {}

    private static final Map<String, ModelType> TYPES = Map.of(
            EnergyNet.TYPE.name(), EnergyNet.TYPE,
            ConvNet.TYPE.name(), ConvNet.TYPE);

    /** The registered names, sorted. */
    public static List<String> names() {
        return TYPES.keySet().stream().sorted().toList();
    }

    /** @throws UserException naming the registered kinds when {@code name} is not one */
    public static ModelType type(String name) {
        ModelType t = TYPES.get(name);
        if (t == null) {
            throw new UserException("unknown model '" + name + "'; registered models: " + String.join(", ", names()));
        }
        return t;
    }

    /** Builds the model a spec describes. */
    public static EnergyModel create(Backend backend, ModelSpec spec, int capacity) {
        return type(spec.kind()).create(backend, spec, capacity);
    }
}
