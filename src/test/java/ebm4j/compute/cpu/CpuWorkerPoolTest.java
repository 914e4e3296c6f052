package ebm4j.compute.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class CpuWorkerPoolTest {

    @Test
    void everyPartRunsExactlyOnceOnThePoolsThreads() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int op = 0; op < 2_000; op++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(3);
                Set<Thread> threads = ConcurrentHashMap.newKeySet();
                pool.run(3, p -> {
                    runs.incrementAndGet(p);
                    threads.add(Thread.currentThread());
                });
                for (int p = 0; p < 3; p++) {
                    assertEquals(1, runs.get(p), "op " + op + " part " + p);
                }
                for (Thread t : threads) {
                    assertTrue(t == Thread.currentThread() || t.getName().startsWith("ebm4j-cpu-"), t.getName());
                }
            }
        }
    }

    /** Many back-to-back ops, some after pauses long enough for the workers to park: no lost wake-up. */
    @Test
    void survivesRapidAndSpacedHandOffs() throws InterruptedException {
        try (WorkerPool pool = new WorkerPool(2)) {
            long[] sums = new long[2];
            for (int i = 0; i < 20_000; i++) {
                int round = i;
                pool.run(2, p -> sums[p] += round);
                if (i % 2000 == 0) {
                    Thread.sleep(5); // past the spin budget: the worker parks
                }
            }
            long expected = 20_000L * 19_999 / 2;
            assertEquals(expected, sums[0]);
            assertEquals(expected, sums[1]);
        }
    }

    @Test
    void failuresInAnyPartReachTheCallerAndThePoolStaysUsable() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException inWorker = assertThrows(IllegalStateException.class, () -> pool.run(2, p -> {
                if (p == 1) {
                    throw new IllegalStateException("worker part failed");
                }
            }));
            assertEquals("worker part failed", inWorker.getMessage());
            assertThrows(ArithmeticException.class, () -> pool.run(2, p -> {
                if (p == 0) {
                    throw new ArithmeticException("caller part failed");
                }
            }));
            int[] ran = new int[2];
            pool.run(2, p -> ran[p]++);
            assertEquals(1, ran[0]);
            assertEquals(1, ran[1]);
        }
    }

    @Test
    void closeStopsTheDaemonWorkersAndIsIdempotent() throws InterruptedException {
        WorkerPool pool = new WorkerPool(2);
        Thread caller = Thread.currentThread();
        java.util.concurrent.atomic.AtomicReference<Thread> worker = new java.util.concurrent.atomic.AtomicReference<>();
        long deadline = System.nanoTime() + 5_000_000_000L;
        // the caller's part waits until the worker has run the other one
        pool.run(2, p -> {
            if (Thread.currentThread() != caller) {
                worker.set(Thread.currentThread());
            } else {
                while (worker.get() == null && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            }
        });
        assertTrue(worker.get() != null && worker.get().isDaemon());
        pool.close();
        pool.close();
        worker.get().join(5000);
        assertTrue(!worker.get().isAlive(), "worker stopped");
        assertThrows(IllegalStateException.class, () -> pool.run(2, p -> { }));
    }
}
