package ebm4j.sample;

/**
 * The images that sampling chains start from (a checkpoint's persistent-chain pool), and how
 * sharply their rows are chosen: a chain of class y starts from row r with probability
 * proportional to exp(-E(x_r, y) / temperature) ({@link PoolStarts}).
 *
 * <p>The pool mixes converged samples with chains that restarted from noise a few training steps
 * before it was saved. At temperature 1 (resampling towards the model's own density) the recipe's
 * energies are of order 1, so a noise row weighs only ~20 times less than a digit and two or three
 * of 64 samples still started from noise. At 0.5 (towards p(x | y)^2) those rows are all but
 * excluded, while the starts stay spread over the pool: for the {@code plain} recipe's seed-0 model
 * the convolutional judge's class-conditional accuracy rose from 0.945 to 0.98 and the Fréchet
 * distances to the test images fell (README, Measured). At {@value #DEFAULT_TEMPERATURE} the
 * default recipe's models gave that judge 0.5-0.8 points more samples it is sure of than at 0.5
 * (0.975-0.980 on seeds 0-2, its ceiling on real digits 0.979), for Fréchet distances up to 10 %
 * larger in its space (16 % in the MLP judge's); at 0.25 the starts crowd into fewer rows and the
 * distances grow more.
 *
 * @param images      (rows, inputs) start images
 * @param temperature the resampling temperature, finite and > 0
 */
public record StartPool(float[] images, double temperature) {
    /** The temperature {@code sample}, {@code eval} and the Java API use unless told otherwise. */
    public static final double DEFAULT_TEMPERATURE = 0.35;

    public StartPool {
        if (images == null || images.length == 0) {
            throw new IllegalArgumentException("a start pool needs images");
        }
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("the start temperature must be finite and > 0, got " + temperature);
        }
    }

    /** The pool at the default temperature, or null (chains from uniform noise) when there are no images. */
    public static StartPool ofNullable(float[] images) {
        return images == null ? null : new StartPool(images, DEFAULT_TEMPERATURE);
    }
}
