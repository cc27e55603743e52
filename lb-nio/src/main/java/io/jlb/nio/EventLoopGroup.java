package io.jlb.nio;

import io.jlb.nio.internal.Loops;

/**
 * N event loops, each a thread owning one java.nio selector, shared by the proxies that run on it: several TCP,
 * UDP and HTTP proxies can serve from one group. A proxy given no group starts its own and stops it on close; a
 * group passed in is closed by whoever made it.
 *
 * <pre>{@code
 * try (EventLoopGroup loops = EventLoopGroup.create(2)) {
 *     TcpProxy l4 = TcpProxy.builder().eventLoops(loops)...build().start();
 *     ...
 * }
 * }</pre>
 */
public interface EventLoopGroup extends AutoCloseable {
    /** The buffer size unless told otherwise: 64 KiB, which costs less CPU per byte than smaller buffers. */
    int DEFAULT_BUFFER_SIZE = 64 * 1024;

    /** One loop per available processor. */
    static EventLoopGroup create() {
        return create(Runtime.getRuntime().availableProcessors());
    }

    /** {@code threads} loops with {@link #DEFAULT_BUFFER_SIZE} buffers. */
    static EventLoopGroup create(int threads) {
        return create(threads, DEFAULT_BUFFER_SIZE);
    }

    /** {@code threads} loops whose relays use buffers of {@code bufferSize} bytes (at least 1024). */
    static EventLoopGroup create(int threads, int bufferSize) {
        return Loops.start("jlb-loop", threads, bufferSize);
    }

    /** How many loops there are. */
    int size();

    /** The size of the buffers relays use, in bytes. */
    int bufferSize();

    /** Whether {@link #close()} was called. */
    boolean isClosed();

    /** Stops every loop, closing the channels still registered on them; waits for the threads to end. */
    @Override
    void close();
}
