package ebm4j.compute.cuda;

import java.util.List;

/**
 * Every kernel in the fatbin ({@code kernels/*.cu}) with its parameter list, so that
 * {@link CudaModule} resolves them all at load time and {@link Launch} refuses a call whose
 * arguments do not match the kernel's C signature (a mismatch would otherwise read garbage
 * on the device). {@code CudaKernelSignatureTest} checks these lists against the {@code .cu} sources.
 *
 * <p>Parameter kinds: {@code ptr} a device pointer (8 bytes), {@code i32} a C {@code int},
 * {@code i64} a C {@code long long} or {@code unsigned long long}, {@code f32} a C {@code float}.
 */
public enum Kernel {
    GEMM_64X64("gemm_64x64", "i32 i32 i32 i32 i32 f32 ptr i32 ptr i32 f32 ptr i32 i32 ptr"),
    GEMM_32X32("gemm_32x32", "i32 i32 i32 i32 i32 f32 ptr i32 ptr i32 f32 ptr i32 i32 ptr"),
    GEMM_SPLITK_REDUCE("gemm_splitk_reduce", "ptr i32 ptr i32 i32 i32 f32 f32"),
    BIAS_ELU("bias_elu", "ptr ptr i32 i32"),
    ADD_BIAS("add_bias", "ptr ptr i32 i32"),
    ELU_BACKWARD("elu_backward", "ptr ptr i64"),
    COLUMN_SUMS("column_sums", "ptr ptr i32 i32 f32"),
    ENERGY_GRAD("energy_grad", "ptr ptr ptr i32 i32 f32"),
    HYBRID_LOSS_GRAD("hybrid_loss_grad", "ptr ptr ptr ptr i32 i32 f32 f32 f32 i32"),
    UNIFORM_FILL("uniform_fill", "ptr i64 f32 f32 i64 ptr i32"),
    LANGEVIN_UPDATE("langevin_update", "ptr ptr i64 f32 f32 f32 i64 ptr i32"),
    ADD_NOISE("add_noise", "ptr i64 f32 i64 ptr i32"),
    CLAMP("clamp", "ptr i64 f32 f32"),
    GATHER_ROWS("gather_rows", "ptr ptr ptr ptr ptr ptr i32 i32 i64 i64"),
    SCATTER_ROWS("scatter_rows", "ptr ptr ptr ptr i32 i32 i64 i64"),
    INCREMENT("increment", "ptr i32 i32"),
    ADAM_STEP("adam_step", "ptr ptr ptr ptr i64 ptr f32 f32 f32 f32 i32 i64"),
    FILL("fill", "ptr i64 f32"),
    TIMER_MARK("timer_mark", "ptr i32 i32"),
    IM2COL("im2col", "ptr ptr i32 i32 i32 i32 i32 i32 i32 i32"),
    COL2IM("col2im", "ptr ptr i32 i32 i32 i32 i32 i32 i32 i32"),
    SHIFT_IMAGES("shift_images", "ptr ptr i32 i32 i32 i32 i32 f32 i64 ptr i32");

    /** The extern "C" name in the fatbin. */
    public final String symbol;
    /** Parameter kinds in order, space separated. */
    public final String signature;

    Kernel(String symbol, String signature) {
        this.symbol = symbol;
        this.signature = signature;
    }

    /** Parameter kinds as a list. */
    public List<String> parameters() {
        return List.of(signature.split(" "));
    }
}
