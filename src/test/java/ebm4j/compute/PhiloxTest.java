package ebm4j.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PhiloxTest {

    private static int[] run(int c0, int c1, int c2, int c3, int k0, int k1) {
        int[] out = new int[4];
        Philox.block(c0, c1, c2, c3, k0, k1, out);
        return out;
    }

    @Test
    void matchesRandom123KnownAnswerForZeros() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                run(0, 0, 0, 0, 0, 0));
    }

    @Test
    void matchesRandom123KnownAnswerForPiDigits() {
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                run(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    @Test
    void ownLogMatchesLibraryWithinTwoUlp() {
        for (int i = 1; i <= 1 << 24; i += 997) {
            float u = i * 0x1.0p-24f;
            double exact = Math.log(u);
            float got = Philox.log(u);
            double ulps = Math.abs(got - exact) / Math.ulp((float) exact == 0f ? Float.MIN_NORMAL : (float) exact);
            assertTrue(ulps <= 2.5 || Math.abs(got - exact) < 1e-7, "log(" + u + ") = " + got + " vs " + exact);
        }
        assertEquals(0f, Philox.log(1f));
    }

    @Test
    void ownSinCosMatchLibrary() {
        for (int i = 0; i < 1 << 24; i += 4099) {
            float x = i * 0x1.0p-24f * 1.5707964f;
            assertEquals(Math.sin(x), Philox.sinQuarter(x), 2e-7, "sin " + x);
            assertEquals(Math.cos(x), Philox.cosQuarter(x), 2e-7, "cos " + x);
        }
    }

    @Test
    void normalsHaveUnitMomentsAndUniformsCoverTheRange() {
        int n = 400_000;
        float[] z = new float[n];
        Philox.normals(42, 7, 3, 0, z, n);
        double sum = 0, sq = 0, quart = 0;
        for (float v : z) {
            sum += v;
            sq += v * v;
            quart += (double) v * v * v * v;
        }
        double mean = sum / n, var = sq / n - mean * mean;
        // standard errors: mean 1/sqrt(n) = 0.0016, variance sqrt(2/n) = 0.0022; allow ~4 sigma
        assertEquals(0, mean, 0.0065);
        assertEquals(1, var, 0.009);
        assertEquals(3, quart / n, 0.05);

        float[] u = new float[n];
        Philox.uniforms(42, 7, 3, 0, u, n, -1f, 1f);
        float min = 1, max = -1;
        double usum = 0;
        for (float v : u) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            usum += v;
        }
        assertTrue(min >= -1f && max < 1f);
        assertTrue(min < -0.999f && max > 0.999f);
        assertEquals(0, usum / n, 0.0045); // sd of U(-1,1) is 0.577, se 0.0009
    }

    @Test
    void streamsStepsAndSeedsAreIndependent() {
        float[] a = new float[8], b = new float[8], c = new float[8], d = new float[8];
        Philox.uniforms(1, 5, 0, 0, a, 8, 0, 1);
        Philox.uniforms(1, 5, 1, 0, b, 8, 0, 1);
        Philox.uniforms(1, 6, 0, 0, c, 8, 0, 1);
        Philox.uniforms(2, 5, 0, 0, d, 8, 0, 1);
        assertTrue(a[0] != b[0] && a[0] != c[0] && a[0] != d[0]);
        float[] again = new float[8];
        Philox.uniforms(1, 5, 0, 0, again, 8, 0, 1);
        assertArrayEquals(a, again);
        float[] tail = new float[4];
        Philox.uniforms(1, 5, 0, 4, tail, 4, 0, 1);
        assertArrayEquals(new float[] {a[4], a[5], a[6], a[7]}, tail);
    }
}
