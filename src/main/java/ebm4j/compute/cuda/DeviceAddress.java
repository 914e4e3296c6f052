package ebm4j.compute.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * The device address a {@link CUdeviceptr} stands for: its native pointer plus its byte offset,
 * which is what JCuda hands the driver. Needed because {@code CUdeviceptr.equals} and
 * {@code hashCode} (from {@code NativePointerObject}, JCuda 12.6) compare the native pointer only:
 * every slice of one allocation is "equal" to every other, and so is every emulator pointer (a
 * null native pointer with the address as its byte offset). The getters are protected, hence
 * this subclass, made for a moment per call.
 */
final class DeviceAddress extends CUdeviceptr {
    private DeviceAddress(CUdeviceptr p) {
        super(p);
    }

    /** The address, 0 for a null reference or the null pointer. */
    static long of(CUdeviceptr p) {
        if (p == null) return 0;
        DeviceAddress a = new DeviceAddress(p);
        return a.getNativePointer() + a.getByteOffset();
    }
}
