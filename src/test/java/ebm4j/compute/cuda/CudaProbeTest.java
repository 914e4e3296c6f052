package ebm4j.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import ebm4j.UserException;

/** The probe on any machine: it never throws, answers in one line, and answers once per JVM. */
class CudaProbeTest {

    @Test
    void answersInOneLineWithoutThrowingAndCachesTheAnswer() {
        String first = CudaProbe.problem();
        assertSame(first, CudaProbe.problem(), "probed once per JVM");
        assertEquals(first == null, CudaProbe.usable());
        if (first != null) {
            assertFalse(first.isBlank());
            assertFalse(first.contains("\n") || first.contains("\r"), "one line: " + first);
            System.out.println("CudaProbe: " + first);
        }
    }

    @Test
    void withoutAGpuTheReasonNamesTheMissingPiece() {
        String problem = CudaProbe.problem();
        Assumptions.assumeTrue(problem != null, "a GPU is usable here");
        assertTrue(problem.startsWith("no NVIDIA driver") || problem.startsWith("no CUDA device")
                || problem.startsWith("CUDA driver init failed") || problem.startsWith("CUDA kernels not built")
                || problem.startsWith("GPU compute capability"), problem);
        UserException e = assertThrows(UserException.class, CudaBackend::open);
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void extractsTheLibraryThatCouldNotBeOpened() {
        UnsatisfiedLinkError nested = new UnsatisfiedLinkError(
                "/tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file: No such file or directory");
        UnsatisfiedLinkError outer = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\n"
                + "Operating system name: Linux\n---(start of nested stack traces)---\n" + nested);
        assertEquals("libcuda.so.1 cannot be opened", CudaProbe.missingLibrary(outer));
        assertEquals("the JCuda driver library failed to load earlier in this JVM",
                CudaProbe.missingLibrary(new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver")));
        assertEquals("UnsatisfiedLinkError: something else", CudaProbe.missingLibrary(new UnsatisfiedLinkError("something else\nmore")));
    }
}
