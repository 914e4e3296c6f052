package ebm4j.compute.cuda;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jcuda.CudaException;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * Whether this JVM can run the CUDA backend, decided once: {@link #problem()} is null when a GPU
 * is usable, otherwise a one-line reason (no driver, no device, device too old, kernels not
 * built, driver init failed). Nothing here throws.
 *
 * <p>The probe runs once per JVM because JCuda's native library is loaded in a static
 * initialiser: a second attempt after a failed load gives {@code NoClassDefFoundError} without
 * the original reason, so the first answer is cached.
 */
public final class CudaProbe {
    /** Classpath resource holding the fatbin that {@code kernels/build.sh} writes. */
    public static final String KERNELS_RESOURCE = "/ebm4j/kernels.fatbin";

    /** The oldest compute capability the fatbin covers (its PTX is compute_75). */
    static final int MIN_CC_MAJOR = 7;
    static final int MIN_CC_MINOR = 5;

    private static final Pattern CANNOT_OPEN =
            Pattern.compile("(lib[\\w.+-]+\\.so[\\d.]*): cannot open shared object file");

    private static final String PROBLEM = probe();

    private CudaProbe() {}

    /** Null when a GPU is usable, otherwise a one-line reason. */
    public static String problem() {
        return PROBLEM;
    }

    /** True when {@link #problem()} is null. */
    public static boolean usable() {
        return PROBLEM == null;
    }

    private static String probe() {
        try {
            JCudaDriver.setExceptionsEnabled(true);
        } catch (LinkageError e) {
            return "no NVIDIA driver: " + missingLibrary(e);
        }
        try {
            JCudaDriver.cuInit(0);
            int[] count = {0};
            JCudaDriver.cuDeviceGetCount(count);
            if (count[0] == 0) {
                return "no CUDA device (the NVIDIA driver reports 0 devices)";
            }
            CUdevice dev = new CUdevice();
            JCudaDriver.cuDeviceGet(dev, 0);
            int[] major = {0}, minor = {0};
            JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
            JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
            if (major[0] < MIN_CC_MAJOR || (major[0] == MIN_CC_MAJOR && minor[0] < MIN_CC_MINOR)) {
                return "GPU compute capability " + major[0] + "." + minor[0] + " is below "
                        + MIN_CC_MAJOR + "." + MIN_CC_MINOR + ", the oldest the kernels are built for";
            }
        } catch (CudaException e) {
            String code = oneLine(e.getMessage());
            if (code.contains("CUDA_ERROR_NO_DEVICE")) {
                return "no CUDA device (" + code + ")";
            }
            return "CUDA driver init failed: " + code;
        } catch (LinkageError | RuntimeException e) {
            return "CUDA driver init failed: " + oneLine(String.valueOf(e));
        }
        if (CudaProbe.class.getResource(KERNELS_RESOURCE) == null) {
            return "CUDA kernels not built: resource " + KERNELS_RESOURCE
                    + " is missing (nvcc was not found when ebm4j was built)";
        }
        return null;
    }

    /** The library that failed to load, e.g. "libcuda.so.1 cannot be opened". */
    static String missingLibrary(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String msg = String.valueOf(t.getMessage());
            Matcher m = CANNOT_OPEN.matcher(msg);
            if (m.find()) {
                return m.group(1) + " cannot be opened";
            }
        }
        if (e instanceof NoClassDefFoundError) {
            return "the JCuda driver library failed to load earlier in this JVM";
        }
        String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        return oneLine(e.getClass().getSimpleName() + ": " + first);
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
