// gemm.cu: twin of Backend.gemm / CpuBackend.gemm (row-major C = alpha*op(A)*op(B) + beta*C), the SGEMM used when cuBLAS does not load.
//
// Shapes (row-major, as stored): op(A) is (M,K): A is (M,K) with row stride lda, or (K,M) when
// transA; op(B) is (K,N): B is (K,N) with row stride ldb, or (N,K) when transB; C is (M,N) with
// row stride ldc.
//
// Design: a BM x BN block tile, BK-deep k slices staged through shared memory, a TM x TN
// register micro-tile per thread whose rows/columns are strided by the thread grid (row
// ty + i*(BM/TM), column tx + j*(BN/TN)), so that a warp's shared-memory reads of B are
// consecutive (no bank conflicts) and its C writes are coalesced. The next k slice is loaded
// into registers while the current one is multiplied (one-stage register prefetch).
// Every C element is one fmaf chain over k in increasing order (zero-padded tails add 0*0), so
// both tile shapes give identical bits; only split-K changes the order (partials per k range,
// summed in split order by gemm_splitk_reduce: still deterministic).
//
// Split-K: with `partial` non-null the kernel writes its raw k-range sums (no alpha/beta) to
// partial[z*M*N + r*N + c] for z = blockIdx.z over k ranges [z*kPer, min(K, (z+1)*kPer)), and
// gemm_splitk_reduce applies alpha/beta. With `partial` null, gridDim.z must be 1 and kPer >= K.
//
// Epilogue (matches the CPU reference): beta == 0 overwrites C without reading it (so NaN or
// garbage in C never leaks in); otherwise C = alpha*acc + beta*C.
#include "common.cuh"

template <int BM, int BN, int BK, int TM, int TN>
__device__ __forceinline__ void gemm_tile(int transA, int transB, int M, int N, int K,
                                          float alpha, const float* __restrict__ A, int lda,
                                          const float* __restrict__ B, int ldb, float beta,
                                          float* __restrict__ C, int ldc, int kPer,
                                          float* __restrict__ partial) {
    constexpr int TX = BN / TN;            // threads along N
    constexpr int TY = BM / TM;            // threads along M
    constexpr int NT = TX * TY;            // threads per block
    constexpr int LA = BM * BK / NT;       // A elements each thread stages per k slice
    constexpr int LB = BK * BN / NT;       // B elements each thread stages per k slice
    static_assert(BM % TM == 0 && BN % TN == 0, "tile must split into micro-tiles");
    static_assert((BM * BK) % NT == 0 && (BK * BN) % NT == 0, "slices must split evenly");

    // +1 padding: the k-fastest staging stores (A not transposed, B transposed) would otherwise
    // hit one bank 16 times over.
    __shared__ float As[BK][BM + 1];
    __shared__ float Bs[BK][BN + 1];

    const int tid = threadIdx.x;
    const int tx = tid % TX;
    const int ty = tid / TX;
    const int row0 = blockIdx.y * BM;
    const int col0 = blockIdx.x * BN;
    const long long kBegin = (long long)blockIdx.z * kPer;
    const long long kEndLL = kBegin + kPer < K ? kBegin + kPer : K;
    const int kEnd = (int)kEndLL;

    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; i++)
#pragma unroll
        for (int j = 0; j < TN; j++) acc[i][j] = 0.0f;

    float ra[LA], rb[LB];

    // Loads the k slice starting at k0 into ra/rb (zero outside the matrix or the k range).
    auto load = [&](int k0) {
#pragma unroll
        for (int r = 0; r < LA; r++) {
            const int l = tid + r * NT;
            int mm, kk;
            if (!transA) { mm = l / BK; kk = l % BK; }   // k contiguous in memory
            else         { kk = l / BM; mm = l % BM; }   // m contiguous in memory
            const int gm = row0 + mm, gk = k0 + kk;
            float v = 0.0f;
            if (gm < M && gk < kEnd)
                v = transA ? A[(long long)gk * lda + gm] : A[(long long)gm * lda + gk];
            ra[r] = v;
        }
#pragma unroll
        for (int r = 0; r < LB; r++) {
            const int l = tid + r * NT;
            int nn, kk;
            if (!transB) { kk = l / BN; nn = l % BN; }   // n contiguous in memory
            else         { nn = l / BK; kk = l % BK; }   // k contiguous in memory
            const int gn = col0 + nn, gk = k0 + kk;
            float v = 0.0f;
            if (gn < N && gk < kEnd)
                v = transB ? B[(long long)gn * ldb + gk] : B[(long long)gk * ldb + gn];
            rb[r] = v;
        }
    };
    // Stores ra/rb into the shared tiles, with the same index mapping as load().
    auto store = [&]() {
#pragma unroll
        for (int r = 0; r < LA; r++) {
            const int l = tid + r * NT;
            int mm, kk;
            if (!transA) { mm = l / BK; kk = l % BK; }
            else         { kk = l / BM; mm = l % BM; }
            As[kk][mm] = ra[r];
        }
#pragma unroll
        for (int r = 0; r < LB; r++) {
            const int l = tid + r * NT;
            int nn, kk;
            if (!transB) { kk = l / BN; nn = l % BN; }
            else         { nn = l / BK; kk = l % BK; }
            Bs[kk][nn] = rb[r];
        }
    };

    if (kBegin < kEnd) {
        load((int)kBegin);
        for (int k0 = (int)kBegin; k0 < kEnd; k0 += BK) {
            store();
            __syncthreads();                          // tiles complete before anyone reads them
            if (k0 + BK < kEnd) load(k0 + BK);        // next slice in flight during the math
#pragma unroll
            for (int kk = 0; kk < BK; kk++) {
                float a[TM], b[TN];
#pragma unroll
                for (int i = 0; i < TM; i++) a[i] = As[kk][ty + i * TY];
#pragma unroll
                for (int j = 0; j < TN; j++) b[j] = Bs[kk][tx + j * TX];
#pragma unroll
                for (int i = 0; i < TM; i++)
#pragma unroll
                    for (int j = 0; j < TN; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
            }
            __syncthreads();                          // everyone done reading before the next store
        }
    }

#pragma unroll
    for (int i = 0; i < TM; i++) {
        const int r = row0 + ty + i * TY;
        if (r >= M) continue;
#pragma unroll
        for (int j = 0; j < TN; j++) {
            const int c = col0 + tx + j * TX;
            if (c >= N) continue;
            if (partial != nullptr) {
                partial[((long long)blockIdx.z * M + r) * N + c] = acc[i][j];
            } else {
                float* out = C + (long long)r * ldc + c;
                const float v = alpha * acc[i][j];
                *out = beta == 0.0f ? v : v + beta * *out;
            }
        }
    }
}

// Large problems: 64x64 tile, 16-deep k slices, 4x4 per thread, 256 threads.
// grid (ceil(N/64), ceil(M/64), splits), block 256.
extern "C" __global__ void __launch_bounds__(256)
gemm_64x64(int transA, int transB, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc, int kPer, float* partial) {
    gemm_tile<64, 64, 16, 4, 4>(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc,
                                kPer, partial);
}

// Small problems (batch-sized M, more blocks for the SMs): 32x32 tile, 16-deep, 2x2 per thread.
// grid (ceil(N/32), ceil(M/32), splits), block 256.
extern "C" __global__ void __launch_bounds__(256)
gemm_32x32(int transA, int transB, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc, int kPer, float* partial) {
    gemm_tile<32, 32, 16, 2, 2>(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc,
                                kPer, partial);
}

// Split-K epilogue: C = alpha * (sum over z in order of partial[z]) (+ beta*C unless beta == 0).
// partial:(splits,M,N). grid-stride over M*N, block 256.
extern "C" __global__ void gemm_splitk_reduce(float* C, int ldc, const float* partial, int M, int N,
                                              int splits, float alpha, float beta) {
    const long long mn = (long long)M * N;
    EBM_FOR_EACH(idx, mn) {
        float s = partial[idx];
        for (int z = 1; z < splits; z++) s += partial[(long long)z * mn + idx];
        const int r = (int)(idx / N), c = (int)(idx % N);
        float* out = C + (long long)r * ldc + c;
        const float v = alpha * s;
        *out = beta == 0.0f ? v : v + beta * *out;
    }
}
