package ebm4j.bench;

import ebm4j.compute.Backend;
import ebm4j.compute.Buf;
import ebm4j.compute.Philox;
import ebm4j.model.EnergyNet;
import ebm4j.model.ParameterLayout;

/**
 * The matrix products of one Langevin step and nothing else, as the ceiling the sampler is
 * measured against: for each layer the forward product {@code h = x . W^T}, then for each layer
 * from the last the backward-to-input product {@code dIn = dOut . W}, with the shapes, transposes,
 * strides and weight buffers that {@code EnergyNet.forward} and {@code EnergyNet.backward} use,
 * on the same backend and threads. Inputs are fixed uniform values of activation size (the
 * products do not depend on them, as long as they are not subnormal).
 */
final class StepGemms implements AutoCloseable {
    private final Backend backend;
    private final ParameterLayout layout;
    private final Buf[] weights;
    private final int rows;
    private final Buf a;
    private final Buf c;

    /** Products at {@code rows} rows with the weights of {@code net}. */
    StepGemms(EnergyNet net, int rows) {
        this.backend = net.backend();
        this.layout = net.layout();
        this.rows = rows;
        weights = new Buf[layout.layers()];
        for (int l = 0; l < layout.layers(); l++) {
            weights[l] = net.params().slice(layout.weightOffset(l), layout.weightSize(l));
        }
        long n = (long) rows * layout.maxWidth();
        a = backend.alloc(n);
        c = backend.alloc(n);
        float[] fill = new float[Math.toIntExact(n)];
        Philox.uniforms(3, 0, 0, 0, fill, fill.length, -1f, 1f);
        backend.upload(a, fill);
    }

    /** Multiply-adds times two of one step. */
    double flops() {
        return 2.0 * rows * 2 * layout.macsPerRow();
    }

    /** Queues {@code steps} steps' products. */
    void run(int steps) {
        for (int s = 0; s < steps; s++) {
            for (int l = 0; l < layout.layers(); l++) {
                int in = layout.in(l), out = layout.out(l);
                backend.gemm(false, true, rows, out, in, 1f, a, in, weights[l], in, 0f, c, out);
            }
            for (int l = layout.layers() - 1; l >= 0; l--) {
                int in = layout.in(l), out = layout.out(l);
                backend.gemm(false, false, rows, in, out, 1f, a, out, weights[l], in, 0f, c, in);
            }
        }
    }

    @Override
    public void close() {
        a.close();
        c.close();
    }
}
