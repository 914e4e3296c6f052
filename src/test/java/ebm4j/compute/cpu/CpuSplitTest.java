package ebm4j.compute.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CpuSplitTest {

    @Test
    void rangesTileTheWholeIntervalInAlignedOrder() {
        for (int n : new int[] {0, 1, 3, 4, 15, 16, 17, 64, 100, 1001, 100_003}) {
            for (int parts = 1; parts <= 5; parts++) {
                for (int align : new int[] {1, 4, 16}) {
                    assertEquals(0, Split.start(n, parts, align, 0));
                    assertEquals(n, Split.start(n, parts, align, parts), "n=" + n + " parts=" + parts);
                    for (int p = 0; p < parts; p++) {
                        int from = Split.start(n, parts, align, p);
                        int to = Split.start(n, parts, align, p + 1);
                        assertTrue(from <= to);
                        if (to < n) {
                            assertEquals(0, to % align, "inner boundary aligned");
                        }
                    }
                }
            }
        }
    }

    @Test
    void smallWorkStaysOnOnePart() {
        assertEquals(1, Split.parts(1000, 1024, 8));
        assertEquals(1, Split.parts(2047, 1024, 8));
        assertEquals(2, Split.parts(2048, 1024, 8));
        assertEquals(8, Split.parts(1 << 20, 1024, 8));
        assertEquals(1, Split.parts(1 << 20, 1024, 1));
    }
}
