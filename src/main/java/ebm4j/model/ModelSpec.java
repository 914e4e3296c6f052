package ebm4j.model;

import ebm4j.config.TrainConfig;
import ebm4j.data.ImageShape;
import java.util.List;

/**
 * What a model is, independent of any device: its registered kind ({@link Models}), the shape of
 * its input images, its number of classes (scores per image) and its hidden widths. Enough to
 * build the model, lay out its parameters and check a checkpoint before anything is allocated.
 */
public record ModelSpec(String kind, ImageShape input, int classes, List<Integer> hidden) {
    public ModelSpec {
        hidden = List.copyOf(hidden);
        if (classes < 2) {
            throw new IllegalArgumentException("a model needs at least 2 classes, got " + classes);
        }
    }

    /** The model a training config asks for, on data of this shape and class count. */
    public static ModelSpec of(TrainConfig config, ImageShape input, int classes) {
        return new ModelSpec(config.model(), input, classes, config.hiddenDims());
    }

    /** Values per input row. */
    public int inputs() {
        return input.pixels();
    }
}
