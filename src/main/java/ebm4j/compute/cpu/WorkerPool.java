package ebm4j.compute.cpu;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the parts of one op on a fixed set of threads (the calling thread and
 * {@code threads - 1} workers) and returns when all parts are done.
 *
 * <p>Which thread runs which part is decided at run time: each thread claims the next unclaimed
 * part until none is left. What a part computes depends only on its index (the backend cuts ops
 * into index ranges by {@link Split}, and a part's scratch space and buffer views are chosen by
 * its index too), so results do not depend on the assignment. On a machine shared with other
 * processes this matters: when one of the two threads is descheduled, the other runs both parts
 * instead of waiting a whole time slice for it.
 *
 * <p>A training batch calls ~800 ops, most of them taking tens to hundreds of microseconds, so a
 * park/unpark round trip per op (several microseconds of system calls on each side) would cost a
 * noticeable share. Idle workers therefore spin ({@link Thread#onSpinWait}) for
 * {@link #SPIN_NANOS} before parking; back-to-back ops find them awake. The caller waits for the
 * last part the same way. A worker only gets unparked when it has announced that it parked.
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

    /** One op: its parts are claimed by whichever threads get there first. */
    private static final class Op {
        final Part body;
        final int parts;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        private Throwable failure; // guarded by this

        Op(Part body, int parts) {
            this.body = body;
            this.parts = parts;
        }

        /** Claims and runs parts until none is left; true when this call finished the op's last part. */
        boolean work() {
            boolean last = false;
            for (int p = next.getAndIncrement(); p < parts; p = next.getAndIncrement()) {
                try {
                    body.run(p);
                } catch (Throwable t) {
                    fail(t);
                }
                last = done.incrementAndGet() == parts;
            }
            return last;
        }

        synchronized void fail(Throwable t) {
            if (failure == null) {
                failure = t;
            } else if (failure != t) {
                failure.addSuppressed(t);
            }
        }

        synchronized Throwable failure() {
            return failure;
        }
    }

    private final Worker[] workers;
    private volatile Op current;
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

    /** Runs {@code body.run(p)} once for each p in [0, parts), parts <= threads(), and waits for all of them. */
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
        Op op = new Op(body, parts);
        waiter = Thread.currentThread();
        current = op;
        for (int w = 0; w < parts - 1; w++) {
            workers[w].hand();
        }
        op.work();
        awaitLastPart(op);
        Throwable failure = op.failure();
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    private void awaitLastPart(Op op) {
        long spinStart = System.nanoTime();
        int spins = 0;
        while (op.done.get() != op.parts) {
            if (spinning(spinStart, ++spins)) {
                Thread.onSpinWait();
            } else {
                waiterParked = true;
                if (op.done.get() != op.parts) {
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
        private volatile int ticket;       // bumped by the caller for each op this worker is asked to join
        private volatile boolean parked;

        Worker(int index) {
            super("ebm4j-cpu-" + index);
            setDaemon(true);
        }

        /** Called by the submitting thread: wake this worker for the current op. */
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
                // The op published before the ticket; a worker that wakes late may find a later
                // op (and claim its parts) or one whose parts are all claimed (nothing to do).
                if (current.work() && waiterParked) {
                    LockSupport.unpark(waiter);
                }
            }
        }
    }
}
