package ebm4j.compute.cpu;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the parts of one op on a fixed set of threads: part 0 on the calling thread, part
 * {@code p} on worker {@code p-1}, and returns when all parts are done.
 *
 * <p>A training batch calls ~800 ops, most of them taking tens to hundreds of microseconds, so a
 * park/unpark round trip per op (several microseconds of system calls on each side) would cost a
 * noticeable share. Idle workers therefore spin ({@link Thread#onSpinWait}) for
 * {@link #SPIN_NANOS} before parking; back-to-back ops find them awake. The caller waits for the
 * workers the same way. A worker only gets unparked when it has announced that it parked.
 *
 * <p>Not reentrant: one thread at a time submits ops (as with a CUDA stream).
 */
final class WorkerPool implements AutoCloseable {
    /** One part of an op; {@code part} selects the range and the scratch space to use. */
    @FunctionalInterface
    interface Part {
        void run(int part);
    }

    /** Spin this long before parking: covers the gap between consecutive ops of a batch. */
    private static final long SPIN_NANOS = 50_000;

    private final Worker[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private Part task;                      // published to workers by the volatile ticket write
    private volatile Throwable failure;
    private volatile Thread waiter;
    private volatile boolean waiterParked;
    private volatile boolean closed;

    /** A pool for {@code threads} parts at once: the caller plus {@code threads - 1} daemon workers. */
    WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /** Number of parts that can run at once (the caller included). */
    int threads() {
        return workers.length + 1;
    }

    /** Runs {@code body.run(p)} for p in [0, parts), parts <= threads(), and waits for all of them. */
    void run(int parts, Part body) {
        if (parts <= 1) {
            body.run(0);
            return;
        }
        if (parts > threads()) {
            throw new IllegalArgumentException("parts " + parts + " > threads " + threads());
        }
        if (closed) {
            throw new IllegalStateException("backend closed");
        }
        task = body;
        failure = null;
        waiter = Thread.currentThread();
        pending.set(parts - 1);
        for (int w = 0; w < parts - 1; w++) {
            workers[w].hand();
        }
        Throwable own = null;
        try {
            body.run(0);
        } catch (Throwable t) {
            own = t;
        }
        awaitWorkers();
        task = null;
        Throwable theirs = failure;
        if (own != null || theirs != null) {
            Throwable first = own != null ? own : theirs;
            if (own != null && theirs != null) {
                first.addSuppressed(theirs);
            }
            if (first instanceof RuntimeException) {
                throw (RuntimeException) first;
            }
            if (first instanceof Error) {
                throw (Error) first;
            }
            throw new IllegalStateException(first);
        }
    }

    private void awaitWorkers() {
        long spinStart = System.nanoTime();
        int spins = 0;
        while (pending.get() != 0) {
            if (spinning(spinStart, ++spins)) {
                Thread.onSpinWait();
            } else {
                waiterParked = true;
                if (pending.get() != 0) {
                    LockSupport.park(this);
                }
                waiterParked = false;
            }
        }
    }

    /** True while a spin that began at {@code start} is still inside its budget (clock read every 64 spins). */
    private static boolean spinning(long start, int spins) {
        return (spins & 63) != 0 || System.nanoTime() - start < SPIN_NANOS;
    }

    private void finished(Throwable t) {
        if (t != null && failure == null) {
            failure = t;
        }
        if (pending.decrementAndGet() == 0 && waiterParked) {
            LockSupport.unpark(waiter);
        }
    }

    /** Stops the workers; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
        for (Worker w : workers) {
            try {
                w.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private final class Worker extends Thread {
        private final int part;
        private volatile int ticket;       // bumped by the caller for each op this worker joins
        private volatile boolean parked;

        Worker(int part) {
            super("ebm4j-cpu-" + part);
            this.part = part;
            setDaemon(true);
        }

        /** Called by the submitting thread: wake this worker for the current task. */
        void hand() {
            ticket = ticket + 1; // single writer
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            int seen = 0;
            while (true) {
                long spinStart = System.nanoTime();
                int spins = 0;
                while (ticket == seen && !closed) {
                    if (spinning(spinStart, ++spins)) {
                        Thread.onSpinWait();
                    } else {
                        // Announce before re-checking, so hand() either sees parked or we see the ticket.
                        parked = true;
                        if (ticket == seen && !closed) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                if (closed) {
                    return;
                }
                seen = ticket;
                Throwable thrown = null;
                try {
                    task.run(part);
                } catch (Throwable t) {
                    thrown = t;
                }
                finished(thrown);
            }
        }
    }
}
