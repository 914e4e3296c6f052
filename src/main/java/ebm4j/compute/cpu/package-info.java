/**
 * The CPU backend: the reference implementation of {@link ebm4j.compute.Backend}.
 *
 * <ul>
 *   <li>{@link ebm4j.compute.cpu.CpuBackend} validates arguments, splits each op into ranges and
 *       hands them to the {@code WorkerPool}; the kernels ({@code ElementwiseKernels},
 *       {@code PhiloxKernels}, {@code LossKernels}, {@code AdamKernel}) do the arithmetic over one
 *       range each, in the float expression order their CUDA twins use.</li>
 *   <li>{@link ebm4j.compute.cpu.CpuBuf} / {@link ebm4j.compute.cpu.CpuIntBuf}: off-heap, native
 *       order, shared by slices.</li>
 *   <li>Products go through {@code Gemm}: {@code OpenBlasGemm} (single-threaded OpenBLAS) or
 *       {@code VectorGemm} (Java Vector API), chosen by {@link ebm4j.compute.cpu.GemmChoice}.</li>
 * </ul>
 */
package ebm4j.compute.cpu;
