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
    private static final String[] KIND_NAMES = {"ptr", "i32", "i64", "f32"};
    private static final byte PTR = 0, I32 = 1, I64 = 2, F32 = 3;
    /** Each kernel's parameter kinds as codes, indexed by ordinal (parsed once, not per launch). */
    private static final byte[][] SIGNATURES = new byte[Kernel.values().length][];

    static {
        for (Kernel k : Kernel.values()) {
            List<String> kinds = k.parameters();
            byte[] codes = new byte[kinds.size()];
            for (int i = 0; i < codes.length; i++) codes[i] = (byte) List.of(KIND_NAMES).indexOf(kinds.get(i));
            SIGNATURES[k.ordinal()] = codes;
        }
    }

    public final Kernel kernel;
    public final int gridX;
    public final int gridY;
    public final int gridZ;
    public final int block;
    /** Argument i as the kernel sees it: a pointer's address, an int zero-extended, a float's bits. */
    private long[] words;
    private byte[] kinds;
    /** The CUdeviceptr of each pointer argument (null for the others), to hand the driver. */
    private CUdeviceptr[] pointers;
    private int count;

    public Launch(Kernel kernel, int gridX, int gridY, int gridZ, int block) {
        this.kernel = kernel;
        this.gridX = gridX;
        this.gridY = gridY;
        this.gridZ = gridZ;
        this.block = block;
        int arity = Math.max(1, SIGNATURES[kernel.ordinal()].length);
        words = new long[arity];
        kinds = new byte[arity];
        pointers = new CUdeviceptr[arity];
    }

    /** A 1-D launch. */
    public static Launch of(Kernel kernel, int grid, int block) {
        return new Launch(kernel, grid, 1, 1, block);
    }

    private Launch add(byte kind, long word, CUdeviceptr pointer) {
        if (count == words.length) {   // more arguments than the kernel takes: kept for check()'s message
            words = Arrays.copyOf(words, 2 * count);
            kinds = Arrays.copyOf(kinds, 2 * count);
            pointers = Arrays.copyOf(pointers, 2 * count);
        }
        words[count] = word;
        kinds[count] = kind;
        pointers[count] = pointer;
        count++;
        return this;
    }

    /** A device pointer; null passes the null pointer (for optional buffers). */
    public Launch ptr(CUdeviceptr p) {
        CUdeviceptr v = p == null ? new CUdeviceptr() : p;
        return add(PTR, DeviceAddress.of(v), v);
    }

    public Launch i32(int v) {
        return add(I32, v & 0xFFFFFFFFL, null);
    }

    public Launch i64(long v) {
        return add(I64, v, null);
    }

    public Launch f32(float v) {
        return add(F32, Float.floatToRawIntBits(v) & 0xFFFFFFFFL, null);
    }

    /** The argument kinds so far, space separated (compare with {@link Kernel#signature}). */
    public String kinds() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) sb.append(i == 0 ? "" : " ").append(KIND_NAMES[kinds[i]]);
        return sb.toString();
    }

    /** The Java values of the arguments, in order (CUdeviceptr for pointers, Integer, Long, Float). */
    public List<Object> values() {
        List<Object> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(value(i));
        return List.copyOf(out);
    }

    private Object value(int i) {
        switch (kinds[i]) {
            case PTR: return pointers[i];
            case I32: return (int) words[i];
            case I64: return words[i];
            default: return Float.intBitsToFloat((int) words[i]);
        }
    }

    /** Throws if the arguments or the launch shape do not fit the kernel. */
    public Launch check() {
        byte[] sig = SIGNATURES[kernel.ordinal()];
        if (count != sig.length || !Arrays.equals(kinds, 0, count, sig, 0, count)) {
            throw new IllegalStateException("kernel " + kernel.symbol + " takes (" + kernel.signature
                    + ") but was given (" + kinds() + ")");
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
            switch (kinds[i]) {
                case PTR -> args[i] = Pointer.to(pointers[i]);
                case I32 -> args[i] = Pointer.to(new int[] {(int) words[i]});
                case I64 -> args[i] = Pointer.to(new long[] {words[i]});
                default -> args[i] = Pointer.to(new float[] {Float.intBitsToFloat((int) words[i])});
            }
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
            if (kinds[i] == PTR && StreamCommand.within(words[i], from, bytes)) return true;
        }
        return false;
    }

    /** Same kernel, shape and argument bits (kinds follow from the kernel once checked). */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Launch l)) return false;
        return l.kernel == kernel && l.gridX == gridX && l.gridY == gridY && l.gridZ == gridZ && l.block == block
                && l.count == count && Arrays.equals(l.words, 0, count, words, 0, count)
                && Arrays.equals(l.kinds, 0, count, kinds, 0, count);
    }

    @Override
    public int hashCode() {
        int h = kernel.hashCode() * 31 + gridX;
        for (int i = 0; i < count; i++) h = h * 31 + Long.hashCode(words[i]);
        return h;
    }

    @Override
    public String toString() {
        return kernel.symbol + "<<<(" + gridX + "," + gridY + "," + gridZ + ")," + block + ">>>" + values();
    }
}
