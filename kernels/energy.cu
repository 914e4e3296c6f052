// energy.cu: twins of CpuBackend.energyGrad and hybridLossGrad (LossKernels.energyGrad, hybridLoss).
//
// Row arithmetic in double with a max-shifted LogSumExp, rounded to float once, gradients flushed
// below 1e-30 in magnitude: LossKernels' expressions in LossKernels' order. CUDA's double exp/log
// differ from Java's by at most an ulp or two of a double, far below a float ulp, so the float
// results agree except in rare rounding ties.
#include "common.cuh"

#define EBM_FLUSH_BELOW_F 1e-30f

__device__ __forceinline__ float ebm_flush_f(float v) {
    return fabsf(v) < EBM_FLUSH_BELOW_F ? 0.0f : v;
}

/** Max of one row, Java's Math.max(double, double) semantics (a NaN score gives NaN). */
__device__ __forceinline__ double ebm_row_max(const float* s, int classes) {
    double mx = s[0];
    for (int j = 1; j < classes; j++) mx = java_max(mx, (double)s[j]);
    return mx;
}

__device__ __forceinline__ double ebm_sum_exp(const float* s, int classes, double mx) {
    double sum = 0.0;
    for (int j = 0; j < classes; j++) sum += exp((double)s[j] - mx);
    return sum;
}

// Sampler head. Per row of scores:(rows,classes): dScores = flush(sign * softmax(s)); and when
// energy is non-null, energy[r] = sign * LSE(s_r). One thread per row.
// Launch: grid ceil(rows/256), block 256.
extern "C" __global__ void energy_grad(float* dScores, float* energy, const float* scores, int rows,
                                       int classes, float sign) {
    const int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    const float* s = scores + (long long)r * classes;
    float* d = dScores + (long long)r * classes;
    const double sg = sign;
    const double mx = ebm_row_max(s, classes);
    const double sum = ebm_sum_exp(s, classes, mx);
    for (int j = 0; j < classes; j++) {
        const double p = exp((double)s[j] - mx) / sum;
        d[j] = ebm_flush_f((float)(sg * p));
    }
    if (energy != nullptr) energy[r] = (float)(sg * (mx + log(sum)));
}

#define EBM_LOSS_THREADS 256

// The hybrid loss on scores:(2B,C): rows [0,B) real with labels:(B), rows [B,2B) sampled.
// E = sign*LSE, p = softmax,
//   dL/ds_real   = flush(((p - onehot(y)) + sign*p*(gen + 2*l2*E_r)) / B)
//   dL/ds_sample = flush((sign*p*(-gen + 2*l2*E_s)) / B)
// and adds this batch's statistics to stats (LossStats layout: LOSS, CLF, GEN, E_REAL, E_SAMPLE,
// CORRECT, ROWS, BATCHES), each slot as (float)(stats + value).
// With energyNeutralCe != 0 a real row's (p - onehot(y)) becomes (p - onehot(y) - c*p),
// c = (p.p - p_y) / p.p with p.p summed in class order: orthogonal to p = dLSE/ds
// (LossKernels.ceAlongP; HybridLossSpec.energyNeutralCe says why).
//
// Deterministic: ONE block. Rows go in chunks of 256, a thread per row computes its gradient
// row and leaves its row's (ce, E, correct) in shared memory; thread 0 then folds the chunk into
// double accumulators in row order, which is exactly LossKernels' order, so the statistics match
// the CPU's bits. A label outside [0, C) (the CPU throws) cannot be reported from the device: its
// row gets no one-hot term and a NaN cross-entropy, so LOSS and CLF turn NaN.
// Launch: grid 1, block 256 (EBM_LOSS_THREADS).
extern "C" __global__ void __launch_bounds__(EBM_LOSS_THREADS)
hybrid_loss_grad(float* dScores, float* stats, const float* scores, const int* labels, int batch,
                 int classes, float energySign, float genWeight, float l2Weight, int energyNeutralCe) {
    __shared__ double s_ce[EBM_LOSS_THREADS];
    __shared__ double s_e[EBM_LOSS_THREADS];
    __shared__ int s_correct[EBM_LOSS_THREADS];

    const double sign = energySign, gen = genWeight, l2 = l2Weight;
    const double invB = 1.0 / batch;
    const int total = 2 * batch;
    double sumCe = 0.0, sumEr = 0.0, sumEr2 = 0.0, sumEs = 0.0, sumEs2 = 0.0;
    int correct = 0;

    for (int base = 0; base < total; base += EBM_LOSS_THREADS) {
        const int r = base + (int)threadIdx.x;
        if (r < total) {
            const float* s = scores + (long long)r * classes;
            float* d = dScores + (long long)r * classes;
            const bool real = r < batch;
            const int label = real ? labels[r] : -1;
            const bool validLabel = label >= 0 && label < classes;
            const double mx = ebm_row_max(s, classes);
            const double sum = ebm_sum_exp(s, classes, mx);
            const double lse = mx + log(sum);
            const double e = sign * lse;
            const double energyFactor = real ? gen + 2 * l2 * e : -gen + 2 * l2 * e;
            double along = 0.0;
            if (real && energyNeutralCe != 0 && validLabel) {
                double pp = 0.0, py = 0.0;
                for (int j = 0; j < classes; j++) {
                    const double p = exp((double)s[j] - mx) / sum;
                    pp += p * p;
                    if (j == label) py = p;
                }
                along = (pp - py) / pp;
            }
            for (int j = 0; j < classes; j++) {
                const double p = exp((double)s[j] - mx) / sum;
                double g = sign * p * energyFactor;
                if (real) g += p - (j == label ? 1 : 0) - along * p;
                d[j] = ebm_flush_f((float)(g * invB));
            }
            double ce = 0.0;
            int ok = 0;
            if (real) {
                if (validLabel) {
                    ce = lse - (double)s[label];
                    int best = 0;   // first maximal score
                    for (int j = 1; j < classes; j++)
                        if (s[j] > s[best]) best = j;
                    ok = best == label ? 1 : 0;
                } else {
                    ce = __longlong_as_double(0x7FF8000000000000LL);   // NaN
                }
            }
            s_ce[threadIdx.x] = ce;
            s_e[threadIdx.x] = e;
            s_correct[threadIdx.x] = ok;
        }
        __syncthreads();
        if (threadIdx.x == 0) {
            const int count = total - base < EBM_LOSS_THREADS ? total - base : EBM_LOSS_THREADS;
            for (int t = 0; t < count; t++) {
                const double e = s_e[t];
                if (base + t < batch) {
                    sumCe += s_ce[t];
                    sumEr += e;
                    sumEr2 += e * e;
                    correct += s_correct[t];
                } else {
                    sumEs += e;
                    sumEs2 += e * e;
                }
            }
        }
        __syncthreads();   // thread 0 has read the chunk before it is overwritten
    }

    if (threadIdx.x == 0) {
        const double ce = sumCe * invB;
        const double meanEr = sumEr * invB;
        const double meanEs = sumEs * invB;
        const double genTerm = gen * (meanEr - meanEs) + l2 * (sumEr2 * invB + sumEs2 * invB);
        stats[0] = (float)((double)stats[0] + (ce + genTerm));
        stats[1] = (float)((double)stats[1] + ce);
        stats[2] = (float)((double)stats[2] + genTerm);
        stats[3] = (float)((double)stats[3] + meanEr);
        stats[4] = (float)((double)stats[4] + meanEs);
        stats[5] = (float)((double)stats[5] + (double)correct);
        stats[6] = (float)((double)stats[6] + (double)batch);
        stats[7] = (float)((double)stats[7] + 1.0);
    }
}
