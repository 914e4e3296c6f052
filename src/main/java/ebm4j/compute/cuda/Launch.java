package ebm4j.compute.cuda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * One kernel launch: the kernel, its grid and block, and its arguments in order. Built with the
 * typed appenders ({@link #ptr}, {@link #i32}, {@link #i64}, {@link #f32}); {@link #check} compares
 * the argument kinds with {@link Kernel#signature} before anything reaches the driver.
 *
 * <p>A launch is a value: it keeps every argument as the 64 bits the kernel will see (a pointer as
 * its {@link DeviceAddress}, a float by its raw bits), and two launches are equal when kernel,
 * shape and all those bits are. That is what lets {@link GraphCache} tell whether a recorded
 * {@code repeatable()} body is exactly the one its cached graph was captured from. The driver's
 * parameter block is built from the same values when the launch is issued: later changes to the
 * Java variables the arguments came from have no effect.
 */
public final class Launch implements StreamCommand {
    public final Kernel kernel;
    public final int gridX;
    public final int gridY;
    public final int gridZ;
    public final int block;
    private final StringBuilder kinds = new StringBuilder();
    private final List<Object> values = new ArrayList<>();
    private long[] words = new long[16];
    private int count;

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

    private Launch add(String kind, long word, Object value) {
        if (kinds.length() > 0) kinds.append(' ');
        kinds.append(kind);
        if (count == words.length) words = Arrays.copyOf(words, 2 * count);
        words[count++] = word;
        values.add(value);
        return this;
    }

    /** A device pointer; null passes the null pointer (for optional buffers). */
    public Launch ptr(CUdeviceptr p) {
        CUdeviceptr v = p == null ? new CUdeviceptr() : p;
        return add("ptr", DeviceAddress.of(v), v);
    }

    public Launch i32(int v) {
        return add("i32", v & 0xFFFFFFFFL, v);
    }

    public Launch i64(long v) {
        return add("i64", v, v);
    }

    public Launch f32(float v) {
        return add("f32", Float.floatToRawIntBits(v) & 0xFFFFFFFFL, v);
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

    /** The kernelParams pointer for cuLaunchKernel: one host cell per argument, holding its value. */
    Pointer parameters() {
        NativePointerObject[] args = new NativePointerObject[count];
        for (int i = 0; i < count; i++) {
            Object v = values.get(i);
            if (v instanceof CUdeviceptr p) args[i] = Pointer.to(p);
            else if (v instanceof Integer x) args[i] = Pointer.to(new int[] {x});
            else if (v instanceof Long x) args[i] = Pointer.to(new long[] {x});
            else args[i] = Pointer.to(new float[] {(Float) v});
        }
        return Pointer.to(args);
    }

    @Override
    public void issue(Device device) {
        device.launch(this);
    }

    @Override
    public boolean touches(long from, long bytes) {
        for (int i = 0; i < count; i++) {
            if (values.get(i) instanceof CUdeviceptr && StreamCommand.within(words[i], from, bytes)) return true;
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Launch l)) return false;
        if (l.kernel != kernel || l.gridX != gridX || l.gridY != gridY || l.gridZ != gridZ || l.block != block
                || l.count != count) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            if (l.words[i] != words[i]) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = kernel.hashCode() * 31 + gridX;
        for (int i = 0; i < count; i++) h = h * 31 + Long.hashCode(words[i]);
        return h;
    }

    @Override
    public String toString() {
        return kernel.symbol + "<<<(" + gridX + "," + gridY + "," + gridZ + ")," + block + ">>>" + values;
    }
}
