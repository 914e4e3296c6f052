package ebm4j.compute.cuda;

import java.util.ArrayList;
import java.util.List;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * One kernel launch: the kernel, its grid and block, and its arguments in order. Built with the
 * typed appenders ({@link #ptr}, {@link #i32}, {@link #i64}, {@link #f32}); {@link #check} compares
 * the argument kinds with {@link Kernel#signature} before anything reaches the driver.
 *
 * <p>Each argument is held in its own one-element array, which the driver reads when the launch is
 * issued (or captured into a graph): later changes to the Java values have no effect.
 */
public final class Launch {
    public final Kernel kernel;
    public final int gridX;
    public final int gridY;
    public final int gridZ;
    public final int block;
    private final List<NativePointerObject> args = new ArrayList<>();
    private final StringBuilder kinds = new StringBuilder();
    private final List<Object> values = new ArrayList<>();

    public Launch(Kernel kernel, int gridX, int gridY, int gridZ, int block) {
        this.kernel = kernel;
        this.gridX = gridX;
        this.gridY = gridY;
        this.gridZ = gridZ;
        this.block = block;
    }

    /** A 1-D launch. */
    public static Launch of(Kernel kernel, int grid, int block) {
        return new Launch(kernel, grid, 1, 1, block);
    }

    private Launch add(String kind, NativePointerObject p, Object value) {
        if (kinds.length() > 0) kinds.append(' ');
        kinds.append(kind);
        args.add(p);
        values.add(value);
        return this;
    }

    /** A device pointer; null passes the null pointer (for optional buffers). */
    public Launch ptr(CUdeviceptr p) {
        CUdeviceptr v = p == null ? new CUdeviceptr() : p;
        return add("ptr", Pointer.to(v), v);
    }

    public Launch i32(int v) {
        return add("i32", Pointer.to(new int[] {v}), v);
    }

    public Launch i64(long v) {
        return add("i64", Pointer.to(new long[] {v}), v);
    }

    public Launch f32(float v) {
        return add("f32", Pointer.to(new float[] {v}), v);
    }

    /** The argument kinds so far, space separated (compare with {@link Kernel#signature}). */
    public String kinds() {
        return kinds.toString();
    }

    /** The Java values of the arguments, in order (CUdeviceptr for pointers). */
    public List<Object> values() {
        return List.copyOf(values);
    }

    /** Throws if the arguments or the launch shape do not fit the kernel. */
    public Launch check() {
        if (!kinds.toString().equals(kernel.signature)) {
            throw new IllegalStateException("kernel " + kernel.symbol + " takes (" + kernel.signature
                    + ") but was given (" + kinds + ")");
        }
        if (gridX < 1 || gridY < 1 || gridZ < 1 || gridY > 65535 || gridZ > 65535
                || block < 1 || block > 1024) {
            throw new IllegalStateException("kernel " + kernel.symbol + ": bad launch shape grid ("
                    + gridX + "," + gridY + "," + gridZ + ") block " + block);
        }
        return this;
    }

    /** The kernelParams pointer for cuLaunchKernel. */
    Pointer parameters() {
        return Pointer.to(args.toArray(new NativePointerObject[0]));
    }

    @Override
    public String toString() {
        return kernel.symbol + "<<<(" + gridX + "," + gridY + "," + gridZ + ")," + block + ">>>" + values;
    }
}
