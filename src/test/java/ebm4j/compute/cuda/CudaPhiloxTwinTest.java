package ebm4j.compute.cuda;

import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ebm4j.compute.Parity;
import ebm4j.compute.Philox;

/**
 * kernels/philox.cuh's Box-Muller against Philox.java on the words random draws almost never
 * produce: the extremes of the radius word (u = 2^-24 and u = 1) and the angle word at every
 * quadrant boundary. (The contract tests cover ordinary words by the hundred thousand, through the
 * kernels.) Runs the .cuh on the host through the kernel emulator; no GPU needed.
 */
class CudaPhiloxTwinTest {
    private static EmulatedDevice device;

    @BeforeAll
    static void start() {
        String problem = EmulatedDevice.problem();
        Assumptions.assumeTrue(problem == null, () -> "kernel emulator unavailable: " + problem);
        device = new EmulatedDevice(1);
    }

    @AfterAll
    static void stop() {
        if (device != null) device.close();
    }

    private static void same(int a, int b) {
        float[] expected = new float[2];
        Philox.normalPair(a, b, expected, 0);
        Parity.assertBitEqual(String.format("normalPair(0x%08x, 0x%08x)", a, b), expected, device.normalPair(a, b));
    }

    @Test
    void edgeWordsGiveTheSameBits() {
        int[] radius = {0, 0xFF, 0x100, 0x1FF, 0x7FFF_FFFF, 0x8000_0000, 0xB504_F300, 0xB504_F400, 0xFFFF_FEFF, 0xFFFF_FFFF};
        int[] angle = {0, 0x3F, 0x40, 0x3FFF_FFFF, 0x4000_0000, 0x7FFF_FFFF, 0x8000_0000, 0xBFFF_FFFF,
            0xC000_0000, 0xFFFF_FFC0, 0xFFFF_FFFF};
        for (int a : radius) {
            for (int b : angle) {
                same(a, b);
            }
        }
    }

    @Test
    void everyExponentOfTheRadiusGivesTheSameBits() {
        SplittableRandom r = new SplittableRandom(5);
        for (int e = 0; e < 24; e++) {
            for (int i = 0; i < 40; i++) {
                int mantissa = (1 << e) | (r.nextInt() & ((1 << e) - 1));   // (a >>> 8) + 1 in [2^e, 2^(e+1))
                same((mantissa - 1) << 8 | r.nextInt(256), r.nextInt());
            }
        }
    }
}
