package ebm4j.compute.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;

import java.nio.charset.StandardCharsets;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;

/**
 * The device's primary context (the one the runtime API and cuBLAS also use), retained on open
 * and released on close, plus the device facts the backend needs. Close is idempotent.
 */
final class CudaContext implements AutoCloseable {
    final CUdevice device;
    final CUcontext context;
    final int ordinal;
    final String name;
    final int ccMajor;
    final int ccMinor;
    final long totalMemory;
    final int multiprocessors;
    private boolean closed;

    private CudaContext(int ordinal) {
        this.ordinal = ordinal;
        device = new CUdevice();
        cuDeviceGet(device, ordinal);
        byte[] raw = new byte[256];
        cuDeviceGetName(raw, raw.length, device);
        int len = 0;
        while (len < raw.length && raw[len] != 0) len++;
        name = new String(raw, 0, len, StandardCharsets.US_ASCII);
        ccMajor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        ccMinor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        long[] mem = {0};
        cuDeviceTotalMem(mem, device);
        totalMemory = mem[0];
        context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
    }

    /** Retains device {@code ordinal}'s primary context and makes it current on this thread. */
    static CudaContext open(int ordinal) {
        return new CudaContext(ordinal);
    }

    int attribute(int attribute) {
        int[] v = {0};
        cuDeviceGetAttribute(v, attribute, device);
        return v[0];
    }

    /** Makes the context current on the calling thread. */
    void makeCurrent() {
        cuCtxSetCurrent(context);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        cuDevicePrimaryCtxRelease(device);
    }
}
