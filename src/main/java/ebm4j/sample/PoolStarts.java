package ebm4j.sample;

import ebm4j.model.Scoring;
import ebm4j.model.EnergyModel;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Chooses the pool rows that sampling chains start from. A persistent-chain pool mixes converged
 * samples with chains that restarted from noise a few steps ago, so rows are not taken uniformly:
 * treating the pool as a proposal, a chain of class y starts from row r with probability
 * proportional to exp(-E(x_r, y) / T) (self-normalised importance resampling towards p(x | y)^(1/T);
 * the temperature T is the {@link StartPool}'s, see there for why it is below 1).
 *
 * <p>Unconditional chains are class-balanced: chain i is given class i mod classes, its start is
 * resampled towards p(x | y) as above, and the chain itself then runs on the unconditional energy.
 * Resampling towards p(x) itself (weights exp(-E(x))) was tried first: it concentrates the starts
 * on the few classes with the most logit mass (a 65 % over-representation of some digits in 200
 * samples, against 15 % balanced, for a mid-training model of the default recipe), which is the
 * model's class prior, not the data's; MNIST's classes are balanced, and so are the samples now.
 * Draws are independent, with replacement, from a generator seeded by the caller.
 */
final class PoolStarts {
    private PoolStarts() {}

    /**
     * @param pool    (rows, inputs) images
     * @param classes null for unconditional (class-balanced) chains, else the class of each chain
     * @return the pool row each of the {@code count} chains starts from
     */
    static int[] choose(EnergyModel net, StartPool pool, int[] classes, int count, float energySign, long seed) {
        int poolRows = pool.images().length / net.inputs();
        if (poolRows < 1) {
            throw new IllegalArgumentException("the start pool is empty");
        }
        return choose(Scoring.scores(net, pool.images(), poolRows), net.outputs(), classes, count,
                energySign, pool.temperature(), seed);
    }

    /**
     * As {@link #choose(EnergyModel, StartPool, int[], int, float, long)}, from the pool's scores
     * (rows, outputs) and the temperature.
     */
    static int[] choose(float[] scores, int outputs, int[] classes, int count, float energySign, double temperature,
                        long seed) {
        int poolRows = scores.length / outputs;
        if (classes == null) {
            classes = new int[count];
            for (int i = 0; i < count; i++) {
                classes[i] = i % outputs;
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] energies = new double[poolRows];
        int[] rows = new int[count];
        for (int y = 0; y < outputs; y++) {
            int wanted = 0;
            for (int c : classes) {
                wanted += c == y ? 1 : 0;
            }
            if (wanted == 0) {
                continue;
            }
            for (int r = 0; r < poolRows; r++) {
                energies[r] = energySign * scores[r * outputs + y] / temperature;
            }
            int[] drawn = draw(energies, wanted, random);
            for (int i = 0, k = 0; i < count; i++) {
                if (classes[i] == y) {
                    rows[i] = drawn[k++];
                }
            }
        }
        return rows;
    }

    /**
     * {@code count} indices drawn with probability proportional to exp(-energies[i]); a non-finite
     * energy gets no weight, and if none is finite the draw is uniform.
     */
    static int[] draw(double[] energies, int count, SplittableRandom random) {
        double min = Double.POSITIVE_INFINITY;
        for (double e : energies) {
            if (Double.isFinite(e)) {
                min = Math.min(min, e);
            }
        }
        double[] cumulative = new double[energies.length];
        double total = 0;
        for (int i = 0; i < energies.length; i++) {
            total += Double.isFinite(energies[i]) ? Math.exp(min - energies[i]) : 0;
            cumulative[i] = total;
        }
        int[] out = new int[count];
        for (int k = 0; k < count; k++) {
            if (!(total > 0)) {
                out[k] = random.nextInt(energies.length);
                continue;
            }
            double u = random.nextDouble() * total;
            int at = Arrays.binarySearch(cumulative, u);
            int i = at >= 0 ? at : -at - 1;
            while (i < energies.length - 1 && cumulative[i] <= u) {
                i++;                            // the first index whose running sum exceeds the draw
            }
            out[k] = i;
        }
        return out;
    }
}
