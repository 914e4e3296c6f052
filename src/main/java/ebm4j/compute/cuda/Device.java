package ebm4j.compute.cuda;

import java.nio.ByteBuffer;

import jcuda.driver.CUdeviceptr;

/**
 * What {@link CudaBackend} needs from a GPU: memory, transfers, kernel launches, graph capture,
 * events. {@link DriverDevice} implements it with the CUDA driver API; the tests also run the
 * backend over a host emulator of the kernels (no GPU needed), so everything above this line
 * (argument checks, launch marshalling, graph cache, timer) is exercised on any machine.
 *
 * <p>All methods are called from the backend's thread; all queued work is ordered on one stream.
 */
interface Device extends AutoCloseable {
    /** Moves {@code count} 4-byte elements between a staging buffer and a Java array. */
    @FunctionalInterface
    interface Chunk {
        void move(ByteBuffer staging, int from, int count);
    }

    /** A captured graph, replayable. */
    interface Graph extends AutoCloseable {
        void launch();

        @Override
        void close();
    }

    /** A timing event on the stream. */
    interface Event extends AutoCloseable {
        void record();

        /** Milliseconds from {@code start} to this event; both recorded and completed. */
        float millisSince(Event start);

        @Override
        void close();
    }

    /** "NVIDIA H200 (sm_90, 132 SMs, 139.8 GiB), driver 13.0". */
    String describe();

    int multiprocessors();

    /** The GEMM engine, created with the device. */
    GemmEngine gemm();

    /** Queues (or, while capturing, records) a checked kernel launch. */
    void launch(Launch launch);

    /**
     * Device memory of at least {@code bytes}, freed by its close or by the device's. NOT
     * initialised, as cuMemAlloc's: whoever reads it must write it first ({@link CudaBackend#alloc}
     * zero-fills with {@link #memsetD32}; the emulator's sanitizer reports a read of a word nothing
     * wrote).
     */
    DeviceMemory allocate(long bytes);

    /** Host to device, {@code count} 4-byte elements at element offset {@code at}; returns when done. */
    void upload(CUdeviceptr dst, long at, int count, Chunk fill);

    /** Device to host after all queued work, {@code count} 4-byte elements from element offset {@code at}. */
    void download(CUdeviceptr src, long at, int count, Chunk drain);

    /** Queues a device-to-device copy (capturable). */
    void copy(CUdeviceptr dst, CUdeviceptr src, long bytes);

    /** Queues dst[0..count) = value as 32-bit words (capturable). */
    void memsetD32(CUdeviceptr dst, int value, long count);

    /** Waits for all queued work. */
    void synchronize();

    /** Starts capturing the stream's work (thread-local mode). */
    void beginCapture();

    /** Ends the capture and instantiates the graph. Throws if the capture failed. */
    Graph endCapture();

    Event newEvent();

    /** Makes the device's context current on the calling thread. */
    void makeCurrent();

    /** Waits for queued work, frees all memory still allocated, releases the device. Idempotent. */
    @Override
    void close();
}
