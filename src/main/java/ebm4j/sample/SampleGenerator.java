package ebm4j.sample;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Counters;
import ebm4j.compute.IntBuf;
import ebm4j.model.EnergyModel;

/**
 * Draws many samples from a trained model in chunks of the network's capacity, unconditionally
 * or for requested classes, and returns them on the host. Chains start from uniform noise, or
 * from rows of a persistent-chain pool saved with the model, which is where a model trained with
 * persistent chains keeps its samples (rows chosen by {@link PoolStarts}). Chunk k uses Philox
 * step k, so the result depends only on (model, seed, count, classes, pool), never on the chunk size.
 */
public final class SampleGenerator {
    private SampleGenerator() {}

    /** Chains from uniform noise. */
    public static float[] generate(EnergyModel net, SamplerSpec chain, long seed, int count, int[] classes) {
        return generate(net, chain, seed, count, classes, null);
    }

    /**
     * @param classes null for unconditional samples, else the class of each of the count rows
     * @param pool    null to start from uniform noise, else the start images and their temperature
     * @return images (count, inputs) in [-1, 1]
     */
    public static float[] generate(EnergyModel net, SamplerSpec chain, long seed, int count, int[] classes,
                                   StartPool pool) {
        Backend b = net.backend();
        int inputs = net.inputs(), outputs = net.outputs();
        int chunk = net.capacity();
        float[] out = new float[count * inputs];
        int[] startRows = pool == null ? null
                : PoolStarts.choose(net, pool, classes, count, chain.energySign(), seed);
        try (Buf dScores = net.newScoresBuffer();
             Buf x = b.alloc((long) chunk * inputs);
             Buf classGrad = b.alloc((long) chunk * outputs);
             IntBuf counters = b.allocInt(Counters.SIZE)) {
            try (Sampler sampler = Samplers.create(net, dScores, chain)) {
                int[] c = new int[Counters.SIZE];
                for (int start = 0, k = 0; start < count; start += chunk, k++) {
                    int rows = Math.min(chunk, count - start);
                    c[Counters.STEP_LO] = k;
                    b.uploadInt(counters, 0, c, 0, c.length);
                    Buf xs = x.slice(0, (long) rows * inputs);
                    if (startRows != null) {
                        float[] init = new float[rows * inputs];
                        for (int r = 0; r < rows; r++) {
                            System.arraycopy(pool.images(), startRows[start + r] * inputs, init, r * inputs, inputs);
                        }
                        b.upload(xs, 0, init, 0, init.length);
                    }
                    Buf target = null;
                    if (classes != null) {
                        float[] grad = new float[rows * outputs];
                        for (int r = 0; r < rows; r++) {
                            grad[r * outputs + classes[start + r]] = chain.energySign();
                        }
                        b.upload(classGrad, 0, grad, 0, grad.length);
                        target = classGrad.slice(0, (long) rows * outputs);
                    }
                    if (startRows == null) {
                        sampler.sample(xs, rows, target, seed, counters);
                    } else {
                        sampler.refine(xs, rows, target, seed, counters);
                    }
                    b.download(out, start * inputs, xs, 0, rows * inputs);
                }
            }
        }
        return out;
    }
}
