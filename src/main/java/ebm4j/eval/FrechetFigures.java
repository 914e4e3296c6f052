package ebm4j.eval;

import ebm4j.model.EnergyModel;
import ebm4j.model.Scoring;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One judge's sample-quality distances: at each size N, the Fréchet distance between N samples and
 * N test images in the judge's feature space ({@link EnergyModel#features}), beside the distance
 * between N training images and the same N test images. The second is the floor at that N: what a
 * generator that reproduced the data distribution exactly would score, since finite sets of real
 * images are already that far apart (the estimate is biased upwards, the more so the smaller N, so
 * figures are compared at equal N only).
 */
public final class FrechetFigures {
    /** Keys of each size's entry in eval.json. */
    public static final String SAMPLES = "samples", TRAIN_FLOOR = "train_floor";

    private FrechetFigures() {}

    /**
     * The images compared, row-major, each holding at least the largest size's rows; a size N uses
     * the first N rows of each, so every array must be in random order (a prefix is then a random subset).
     *
     * @param sizes the values of N, each at least 2 (the covariance has an N-1 denominator)
     */
    public record Sets(float[] samples, float[] train, float[] test, int inputs, List<Integer> sizes) {
        public Sets {
            sizes = List.copyOf(sizes);
            if (sizes.isEmpty() || sizes.stream().anyMatch(n -> n < 2)) {
                throw new IllegalArgumentException("sizes must be at least 2, got " + sizes);
            }
            long need = (long) largest(sizes) * inputs;
            if (samples.length < need || train.length < need || test.length < need) {
                throw new IllegalArgumentException("every set needs " + largest(sizes) + " images");
            }
        }

        public int largest() {
            return largest(sizes);
        }

        private static int largest(List<Integer> sizes) {
            return sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
        }
    }

    /** {"N": {"samples": FD, "train_floor": FD}, ...} in the order of the sizes. */
    public static Map<String, Map<String, Double>> of(EnergyModel judge, Sets sets) {
        int rows = sets.largest(), width = judge.featureWidth();
        float[] samples = Scoring.features(judge, sets.samples(), rows);
        float[] train = Scoring.features(judge, sets.train(), rows);
        float[] test = Scoring.features(judge, sets.test(), rows);
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (int n : sets.sizes()) {
            FrechetDistance.Reference fromTest = FrechetDistance.from(GaussianFit.of(test, n, width));
            Map<String, Double> entry = new LinkedHashMap<>();
            entry.put(SAMPLES, fromTest.to(GaussianFit.of(samples, n, width)));
            entry.put(TRAIN_FLOOR, fromTest.to(GaussianFit.of(train, n, width)));
            out.put(Integer.toString(n), entry);
        }
        return out;
    }
}
