// data.cu: twins of CpuBackend.gatherRows, scatterRows and increment (batch gather from a device-resident table; step counters).
#include "common.cuh"

// out:(rows,cols) row r = table row perm[cursor + r], cursor = counters[3];
// labelsOut:(rows) likewise from labels (both may be null: then no labels are written).
// Guarded where the CPU would throw (the device cannot): a position cursor + r outside
// [0, permSize) or a table row outside [0, tableRows) gives a NaN row and label -1, instead of
// an illegal address that would poison the context. Launch: grid-stride over rows*cols, block 256.
extern "C" __global__ void gather_rows(float* out, int* labelsOut, const float* table,
                                       const int* labels, const int* perm, const int* counters,
                                       int rows, int cols, long long tableRows, long long permSize) {
    const long long cursor = counters[3];
    const long long total = (long long)rows * cols;
    EBM_FOR_EACH(idx, total) {
        const int r = (int)ebm_row(idx, cols);
        const int c = ebm_col(idx, cols);
        const long long at = cursor + r;
        const long long src = at >= 0 && at < permSize ? (long long)perm[at] : -1;
        const bool ok = src >= 0 && src < tableRows;
        out[idx] = ok ? table[src * cols + c] : __int_as_float(0x7FC00000);
        if (c == 0 && labelsOut != nullptr && labels != nullptr) labelsOut[r] = ok ? labels[src] : -1;
    }
}

// The inverse of gather_rows: table row index[cursor + r] = src row r, cursor = counters[3]; the
// rows written are distinct (the CPU checks it), so no two threads write one element. Guarded
// where the CPU would throw: a position outside [0, indexSize) or a table row outside
// [0, tableRows) skips that source row (a scatter has nowhere to show the error).
// Launch: grid-stride over rows*cols, block 256.
extern "C" __global__ void scatter_rows(float* table, const float* src, const int* index, const int* counters,
                                        int rows, int cols, long long tableRows, long long indexSize) {
    const long long cursor = counters[3];
    const long long total = (long long)rows * cols;
    EBM_FOR_EACH(idx, total) {
        const int r = (int)ebm_row(idx, cols);
        const int c = ebm_col(idx, cols);
        const long long at = cursor + r;
        const long long dst = at >= 0 && at < indexSize ? (long long)index[at] : -1;
        if (dst >= 0 && dst < tableRows) table[dst * cols + c] = src[idx];
    }
}

// counters[index] += delta; index 0 (Counters.STEP_LO) is the low word of a 64-bit pair with
// counters[1] and carries into it. Launch: 1 block of 1 thread.
extern "C" __global__ void increment(int* counters, int index, int delta) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    if (index == 0) {
        unsigned long long s = (unsigned long long)(unsigned int)counters[0]
                             | ((unsigned long long)(unsigned int)counters[1] << 32);
        s += (unsigned long long)(long long)delta;   // sign-extended, wraps like Java long
        counters[0] = (int)(unsigned int)s;
        counters[1] = (int)(unsigned int)(s >> 32);
    } else {
        counters[index] = (int)((unsigned int)counters[index] + (unsigned int)delta);   // Java int wrap
    }
}
