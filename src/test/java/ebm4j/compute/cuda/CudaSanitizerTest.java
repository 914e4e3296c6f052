package ebm4j.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import jcuda.driver.CUdeviceptr;

/**
 * Every detector of the emulator's sanitizer, proven on a planted bug (kernels/test/planted.cu,
 * compiled into the emulator only) and silent on the same kernel fixed: out-of-bounds stores and
 * loads, use after free (a launch on a freed pointer, and a recorded graph replayed after its
 * buffer was freed), reads of never-written device memory, the three shared-memory races, reads
 * of shared memory the block never wrote, barrier divergence and null pointers; and the host-side
 * checks of uploads and downloads. Each finding's text must name the kernel, the buffer by its
 * parameter name, the offending index and the thread.
 */
@Timeout(120)
class CudaSanitizerTest {
    private static final int N = 100;
    private static final int TILE = 256;

    private EmulatedDevice device;

    @BeforeEach
    void open() {
        String problem = EmulatedDevice.problem();
        Assumptions.assumeTrue(problem == null, () -> "kernel emulator unavailable: " + problem);
        device = new EmulatedDevice(1);
    }

    @AfterEach
    void close() {
        if (device != null) device.close();   // fails if a finding was left untaken
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private DeviceMemory floats(float... values) {
        DeviceMemory m = device.allocate(4L * values.length);
        device.upload(m.ptr, 0, values.length, (bb, from, count) -> bb.asFloatBuffer().put(values, from, count));
        return m;
    }

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i + 0.5f;
        return v;
    }

    private float[] download(CUdeviceptr p, int n) {
        float[] out = new float[n];
        device.download(p, 0, n, (bb, from, count) -> bb.asFloatBuffer().get(out, from, count));
        return out;
    }

    private void launch(String kernel, int grid, int block, Object... args) {
        device.launch(kernel, grid, 1, 1, block, List.of(args));
    }

    /** Runs the bug, which must fail with exactly one report; returns its text. */
    private String finding(Runnable bug) {
        KernelSanitizerException e = assertThrows(KernelSanitizerException.class, bug::run);
        List<String> reported = device.takeFindings();
        assertEquals(1, reported.size(), "one report per failed call: " + reported);
        assertTrue(e.getMessage().endsWith(reported.get(0)), e.getMessage());
        return reported.get(0);
    }

    private static void assertMentions(String text, String... parts) {
        for (String p : parts) {
            assertTrue(text.contains(p), () -> "expected \"" + p + "\" in:\n" + text);
        }
    }

    private static void assertMatches(String text, String regex) {
        assertTrue(Pattern.compile(regex).matcher(text).find(), () -> "expected /" + regex + "/ in:\n" + text);
    }

    private void assertClean() {
        assertEquals(List.of(), device.takeFindings());
    }

    // ---- global memory: out of bounds -------------------------------------------------------------

    @Test
    void anOffByOneStoreIsOutOfBoundsAndAbortsTheLaunch() {
        DeviceMemory out = device.allocate(4L * N);
        String f = finding(() -> launch("planted_store", 1, 128, out.ptr, N, 0));
        assertMentions(f, "1 sanitizer finding (out-of-bounds access: 1) in planted_store<<<(1,1,1),128>>>, launch aborted",
                "planted_store: out-of-bounds write of 4 bytes at out[100] (out = allocation #",
                " (400 bytes) + 0; 0 bytes past its end), block (0,0,0) thread 100");

        launch("planted_store", 1, 128, out.ptr, N, 1);
        assertClean();
        float[] expected = new float[N];
        for (int i = 0; i < N; i++) expected[i] = i;
        assertArrayEquals(expected, download(out.ptr, N), "the fixed kernel writes every element");
    }

    /** The index counts from the parameter's pointer (here a slice 50 floats into its allocation). */
    @Test
    void aReadPastTheEndNamesTheParameterAndItsIndex() {
        DeviceMemory table = floats(ramp(N + 50));
        CUdeviceptr slice = table.ptr.withByteOffset(50 * 4);
        DeviceMemory out = device.allocate(4L * N);
        String f = finding(() -> launch("planted_neighbour_sum", 1, 128, out.ptr, slice, N, 0));
        assertMentions(f, "planted_neighbour_sum: out-of-bounds read of 4 bytes at table[100] (table = allocation #",
                " (600 bytes) + 200; 0 bytes past its end), block (0,0,0) thread 99", "launch aborted");

        launch("planted_neighbour_sum", 1, 128, out.ptr, slice, N, 1);
        assertClean();
        float[] sums = download(out.ptr, N);
        assertEquals(50.5f + 51.5f, sums[0]);
        assertEquals(149.5f, sums[N - 1], "the last element has no right neighbour");
    }

    // ---- global memory: use after free ------------------------------------------------------------

    @Test
    void aLaunchOnAFreedBufferIsAUseAfterFreeAndAddressesAreNeverReused() {
        DeviceMemory out = device.allocate(4L * N);
        long freed = EmulatedDevice.address(out.ptr);
        out.close();
        DeviceMemory again = device.allocate(4L * N);
        assertNotEquals(freed, EmulatedDevice.address(again.ptr), "a freed address is never handed out again");

        String f = finding(() -> launch("planted_store", 1, 128, out.ptr, N, 1));
        assertMentions(f, "planted_store: use after free: write of 4 bytes at out[0] (out = allocation #",
                " (400 bytes, freed) + 0), block (0,0,0) thread 0", "launch aborted");

        launch("planted_store", 1, 128, again.ptr, N, 1);
        assertClean();
    }

    /** What a CUDA graph does with a buffer freed after capture: its kernel nodes keep the old pointer. */
    @Test
    void aGraphReplayedAfterItsBufferWasFreedIsAUseAfterFree() {
        DeviceMemory x = device.allocate(4L * N);
        device.beginCapture();
        device.launch(Launch.of(Kernel.FILL, 1, 256).ptr(x.ptr).i64(N).f32(2f));
        Device.Graph graph = device.endCapture();
        graph.launch();
        assertClean();
        assertEquals(2f, download(x.ptr, N)[N - 1]);

        x.close();
        String f = finding(graph::launch);
        assertMentions(f, "in fill<<<(1,1,1),256>>>, launch aborted",
                "fill: use after free: write of 4 bytes at x[0] (x = allocation #", " (400 bytes, freed) + 0), block (0,0,0) thread 0");
        graph.close();
    }

    @Test
    void hostTransfersAreCheckedAgainstTheAllocations() {
        DeviceMemory m = device.allocate(4L * N);
        String past = finding(() -> device.upload(m.ptr, N - 2, 4, (bb, from, count) -> { }));
        assertMatches(past, "upload of 16 bytes at allocation #\\d+ \\(400 bytes\\) \\+ 392: runs 8 bytes past the end");
        m.close();
        String freed = finding(() -> device.memsetD32(m.ptr, 0, N));
        assertMatches(freed, "memset of 400 bytes at allocation #\\d+ \\(400 bytes, freed\\) \\+ 0: use after free");
    }

    // ---- global memory: reads of never-written memory ---------------------------------------------

    /** Device memory comes uninitialised, as from cuMemAlloc: accumulating into it is a bug. */
    @Test
    void accumulatingIntoANeverWrittenBufferIsReportedWordByWord() {
        DeviceMemory x = floats(ramp(16));
        DeviceMemory acc = device.allocate(4L * 16);
        float[] partial = new float[15];
        device.upload(acc.ptr, 0, 15, (bb, from, count) -> bb.asFloatBuffer().put(partial, from, count));
        String f = finding(() -> launch("planted_accumulate", 1, 256, acc.ptr, x.ptr, 16));
        assertMentions(f, "1 sanitizer finding (read of never-written device memory: 1) in planted_accumulate",
                "planted_accumulate: read of never-written device memory: 4 bytes at acc[15] (acc = allocation #",
                " (64 bytes) + 0), block (0,0,0) thread 15");
        assertFalse(f.contains("aborted"), "a read of unwritten memory does not stop the launch: " + f);
        assertTrue(Float.isNaN(download(acc.ptr, 16)[15]), "the poison (0xFF bytes) is a NaN");

        DeviceMemory fixed = device.allocate(4L * 16);
        device.memsetD32(fixed.ptr, 0, 16);
        launch("planted_accumulate", 1, 256, fixed.ptr, x.ptr, 16);
        assertClean();
        assertArrayEquals(ramp(16), download(fixed.ptr, 16));
    }

    @Test
    void downloadingNeverWrittenMemoryIsReported() {
        DeviceMemory raw = device.allocate(4L * 16);
        device.memsetD32(raw.ptr.withByteOffset(8), 0, 14);
        String f = finding(() -> download(raw.ptr, 16));
        assertMatches(f, "download of 64 bytes at allocation #\\d+ \\(64 bytes\\) \\+ 0: reads never-written device memory, "
                + "2 word\\(s\\), the first at byte 0 of the allocation");
        assertEquals(14, download(raw.ptr.withByteOffset(8), 14).length);
        assertClean();
    }

    /** A device-to-device copy carries the written-ness of its source. */
    @Test
    void copiesCarryWhetherTheirSourceWasWritten() {
        DeviceMemory src = device.allocate(4L * 8);
        device.memsetD32(src.ptr, 7, 4);
        DeviceMemory dst = device.allocate(4L * 8);
        device.copy(dst.ptr, src.ptr, 4L * 8);
        download(dst.ptr, 4);
        assertClean();
        String f = finding(() -> download(dst.ptr, 8));
        assertMentions(f, "reads never-written device memory, 4 word(s), the first at byte 16");
    }

    // ---- shared memory: races ---------------------------------------------------------------------

    private float[] shared(String kernel, int fixed) {
        DeviceMemory in = floats(ramp(TILE));
        DeviceMemory out = device.allocate(4L * TILE);
        launch(kernel, 2, TILE, out.ptr, in.ptr, fixed);
        return download(out.ptr, TILE);
    }

    @Test
    void aMissingBarrierBeforeReadingANeighboursSlotIsAReadAfterWriteRace() {
        String f = finding(() -> shared("planted_shift_left", 0));
        assertMentions(f, "510 sanitizer findings (shared-memory race: 510) in planted_shift_left<<<(2,1,1),256>>>:",
                "planted_shift_left: shared-memory race (read after write) on tile[0] (shared planted_shift_left::tile, "
                        + "1024 bytes): thread 1 reads what thread 0 wrote in the same barrier interval, block (0,0,0)",
                "... and 502 more");

        float[] out = shared("planted_shift_left", 1);
        assertClean();
        assertEquals(0f, out[0]);
        assertEquals(ramp(TILE)[TILE - 2], out[TILE - 1]);
    }

    @Test
    void aMissingBarrierBeforeOverwritingASlotOthersReadIsAWriteAfterReadRace() {
        String f = finding(() -> shared("planted_shift_right", 0));
        assertMentions(f, "planted_shift_right: shared-memory race (write after read) on tile[1] (shared planted_shift_right::tile, "
                + "1024 bytes): thread 1 writes what thread 0 read in the same barrier interval, block (0,0,0)");
        float[] out = shared("planted_shift_right", 1);
        assertClean();
        assertEquals(ramp(TILE)[1], out[0]);
        assertEquals(0f, out[TILE - 1]);
    }

    @Test
    void twoThreadsWritingOneSlotIsAWriteAfterWriteRace() {
        String f = finding(() -> shared("planted_pair_slots", 0));
        assertMentions(f, "planted_pair_slots: shared-memory race (write after write) on tile[0] (shared planted_pair_slots::tile, "
                + "1024 bytes): thread 1 writes what thread 0 wrote in the same barrier interval, block (0,0,0)");
        assertArrayEquals(ramp(TILE), shared("planted_pair_slots", 1));
        assertClean();
    }

    /** Even when an earlier launch left the slots filled: shared memory is undefined at a block's start. */
    @Test
    void readingSharedMemoryTheBlockNeverWroteIsReported() {
        float[] fixed = shared("planted_half_tile", 1);
        assertClean();
        assertEquals(ramp(TILE)[1], fixed[0]);
        String f = finding(() -> shared("planted_half_tile", 0));
        assertMentions(f, "256 sanitizer findings (read of unwritten shared memory: 256) in planted_half_tile",
                "planted_half_tile: read of shared memory no thread of the block has written: tile[1] "
                        + "(shared planted_half_tile::tile, 1024 bytes), block (0,0,0) thread 0");
    }

    // ---- barriers ---------------------------------------------------------------------------------

    @Test
    void threadsThatPartWaysAtABarrierAreReported() {
        DeviceMemory out = device.allocate(4L * 64);
        String early = finding(() -> launch("planted_barrier", 1, 64, out.ptr, 1));
        assertMatches(early, "planted_barrier: barrier divergence: thread 32 returned while thread 0 waits at "
                + "__syncthreads \\(planted\\.cu:\\d+\\), block \\(0,0,0\\)");
        String apart = finding(() -> launch("planted_barrier", 1, 64, out.ptr, 2));
        assertMatches(apart, "planted_barrier: barrier divergence: thread 1 waits at __syncthreads \\(planted\\.cu:(\\d+)\\) "
                + "while thread 0 waits at another \\(planted\\.cu:(?!\\1)\\d+\\), block \\(0,0,0\\)");
        launch("planted_barrier", 1, 64, out.ptr, 0);
        assertClean();
        assertEquals(1f, download(out.ptr, 64)[63]);
    }

    // ---- null pointers and the safety net ---------------------------------------------------------

    @Test
    void aNullPointerIsReportedInsteadOfCrashingTheEmulator() {
        String f = finding(() -> launch("planted_store", 1, 4, new CUdeviceptr(), 4, 1));
        assertMentions(f, "planted_store: null pointer: write of 4 bytes at out[0] (out is null), block (0,0,0) thread 0");
        DeviceMemory out = device.allocate(16);
        launch("planted_store", 1, 4, out.ptr, 4, 1);   // the emulator carries on
        assertClean();
    }

    /** A test that caught a finding's exception as some other failure it expected must still fail. */
    @Test
    void findingsNoTestTookFailTheDevicesClose() {
        EmulatedDevice other = new EmulatedDevice(1);
        DeviceMemory out = other.allocate(4L * N);
        assertThrows(IllegalStateException.class, () -> other.launch("planted_store", 1, 1, 1, 128, List.of(out.ptr, N, 0)));
        KernelSanitizerException e = assertThrows(KernelSanitizerException.class, other::close);
        assertMentions(e.getMessage(), "1 report(s) with finding(s) that the test did not take", "out-of-bounds write of 4 bytes at out[100]");
    }

    @Test
    void aKernelThatNeverEndsIsKilledAtTheReplyLimit() {
        EmulatedDevice other = new EmulatedDevice(1);
        other.replyLimitSeconds(1);
        DeviceMemory flag = other.allocate(4);
        other.memsetD32(flag.ptr, 0, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> other.launch("planted_spin", 1, 1, 1, 1, List.of(flag.ptr)));
        assertMentions(e.getMessage(), "no reply within 1 s (a kernel that never ends?), killed");
        other.close();
    }

    @Test
    void argumentsOfTheWrongKindAreAMisuseNotAFinding() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> launch("planted_store", 1, 1, 1L, N, 1));
        assertFalse(e instanceof KernelSanitizerException, e.toString());
        assertMentions(e.getMessage(), "planted_store: argument 0: kernel takes a pointer, given long long");
        assertClean();
    }
}
