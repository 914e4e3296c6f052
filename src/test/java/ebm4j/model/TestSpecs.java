package ebm4j.model;

import ebm4j.data.ImageShape;
import java.util.ArrayList;
import java.util.List;

/** Model specs for tests: an MLP of given widths (784 inputs are 28x28 images, others one row of pixels). */
public final class TestSpecs {
    private TestSpecs() {}

    /** @param widths input, hidden..., classes */
    public static ModelSpec mlp(int... widths) {
        List<Integer> hidden = new ArrayList<>();
        for (int i = 1; i < widths.length - 1; i++) {
            hidden.add(widths[i]);
        }
        int inputs = widths[0];
        ImageShape shape = inputs == ImageShape.MNIST.pixels() ? ImageShape.MNIST : new ImageShape(1, inputs, 1);
        return new ModelSpec("mlp", shape, widths[widths.length - 1], hidden);
    }
}
