package ebm4j.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import jcuda.driver.CUdeviceptr;

/**
 * Recorded commands are values: equal exactly when the device would see the same thing, which is
 * what lets a cached graph stand in for a recorded body.
 */
class StreamCommandTest {
    private static final CUdeviceptr BASE = new CUdeviceptr().withByteOffset(1 << 20);

    private static Launch fill(CUdeviceptr x, long n, float v) {
        return Launch.of(Kernel.FILL, 4, 256).ptr(x).i64(n).f32(v).check();
    }

    @Test
    void launchesCompareByAddressNotByCUdeviceptrEquals() {
        CUdeviceptr slice = BASE.withByteOffset(64);
        assertTrue(BASE.equals(slice), "JCuda's equals ignores the byte offset: why addresses are compared");
        assertNotEquals(fill(BASE, 16, 1f), fill(slice, 16, 1f));
        assertEquals(fill(BASE.withByteOffset(64), 16, 1f), fill(slice, 16, 1f), "another object, same address");
        assertEquals(fill(slice, 16, 1f).hashCode(), fill(BASE.withByteOffset(64), 16, 1f).hashCode());
        assertEquals(DeviceAddress.of(BASE) + 64, DeviceAddress.of(slice));
    }

    @Test
    void launchesDifferInAnyArgumentBitOrShape() {
        assertNotEquals(fill(BASE, 16, 0f), fill(BASE, 16, -0f), "host floats by their bits");
        assertNotEquals(fill(BASE, 16, 1f), fill(BASE, 17, 1f));
        assertNotEquals(fill(BASE, 16, 1f), Launch.of(Kernel.FILL, 5, 256).ptr(BASE).i64(16).f32(1f));
        assertNotEquals(fill(BASE, 16, 1f), Launch.of(Kernel.CLAMP, 4, 256).ptr(BASE).i64(16).f32(1f));
        assertEquals(List.of(BASE, 16L, 1f), fill(BASE, 16, 1f).values());
        assertEquals("ptr i64 f32", fill(BASE, 16, 1f).kinds());
    }

    @Test
    void launchesRefuseArgumentsThatDoNotMatchTheKernel() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Launch.of(Kernel.FILL, 1, 256).ptr(BASE).i32(16).f32(1f).check());
        assertTrue(e.getMessage().contains("takes (ptr i64 f32) but was given (ptr i32 f32)"), e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> Launch.of(Kernel.FILL, 1, 256).ptr(BASE).i64(16).f32(1f).f32(2f).check());
    }

    @Test
    void copiesAndGemmsCompareEveryArgument() {
        CUdeviceptr other = BASE.withByteOffset(4096);
        assertEquals(new StreamCommand.Copy(other, BASE, 64), new StreamCommand.Copy(BASE.withByteOffset(4096), BASE, 64));
        assertNotEquals(new StreamCommand.Copy(other, BASE, 64), new StreamCommand.Copy(other, BASE, 68));
        assertNotEquals(new StreamCommand.Copy(other, BASE, 64), new StreamCommand.Copy(BASE, other, 64));
        StreamCommand.Gemm g = new StreamCommand.Gemm(false, true, 8, 16, 32, 1f, BASE, 32, other, 32, 0f, BASE, 16);
        assertEquals(g, new StreamCommand.Gemm(false, true, 8, 16, 32, 1f, BASE, 32, BASE.withByteOffset(4096), 32, 0f, BASE, 16));
        assertNotEquals(g, new StreamCommand.Gemm(false, true, 8, 16, 32, 1f, BASE, 32, other, 32, 1f, BASE, 16), "beta");
        assertNotEquals(g, new StreamCommand.Gemm(true, true, 8, 16, 32, 1f, BASE, 32, other, 32, 0f, BASE, 16), "transA");
    }

    @Test
    void commandsTouchTheMemoryTheirPointersLieIn() {
        long base = DeviceAddress.of(BASE);
        assertTrue(fill(BASE.withByteOffset(100), 4, 1f).touches(base, 256));
        assertFalse(fill(BASE.withByteOffset(300), 4, 1f).touches(base, 256));
        assertFalse(Launch.of(Kernel.ENERGY_GRAD, 1, 256).ptr(BASE.withByteOffset(512)).ptr(null)
                .ptr(BASE.withByteOffset(512)).i32(1).i32(10).f32(1f).touches(0, 256), "the null pointer touches nothing");
        assertTrue(new StreamCommand.Copy(BASE.withByteOffset(4096), BASE, 64).touches(base, 4));
        assertTrue(new StreamCommand.Gemm(false, false, 1, 1, 1, 1f, BASE.withByteOffset(8192), 1, BASE.withByteOffset(8192), 1,
                0f, BASE.withByteOffset(4100), 1).touches(base + 4096, 16));
    }
}
