package io.jlb.nio;

import io.jlb.nio.internal.Loops;

/**
 * N event loops, each a thread owning one java.nio selector, shared by the proxies that run on it: several TCP,
 * UDP and HTTP proxies can serve from one group. A proxy given no group starts its own and stops it on close; a
 * group passed in is closed by whoever made it. Thread-safe.
 *
 * <pre>{@code
 * try (EventLoopGroup loops = EventLoopGroup.create(2)) {
 *     TcpProxy l4 = TcpProxy.builder().eventLoops(loops)...build().start();
 *     ...
 * }
 * }</pre>
 */
public final class EventLoopGroup implements AutoCloseable {
    /** The buffer size unless told otherwise: 64 KiB, which costs less CPU per byte than smaller buffers. */
    public static final int DEFAULT_BUFFER_SIZE = 64 * 1024;

    static {
        Loops.resolveGroupsWith(group -> ((EventLoopGroup) group).loops);
    }

    private final Loops loops;

    private EventLoopGroup(Loops loops) {
        this.loops = loops;
    }

    /** One loop per available processor. */
    public static EventLoopGroup create() {
        return create(Runtime.getRuntime().availableProcessors());
    }

    /** {@code threads} loops with {@link #DEFAULT_BUFFER_SIZE} buffers. */
    public static EventLoopGroup create(int threads) {
        return create(threads, DEFAULT_BUFFER_SIZE);
    }

    /** {@code threads} loops whose relays use buffers of {@code bufferSize} bytes (at least 1024). */
    public static EventLoopGroup create(int threads, int bufferSize) {
        return new EventLoopGroup(Loops.start("jlb-loop", threads, bufferSize));
    }

    /** How many loops there are. */
    public int size() {
        return loops.size();
    }

    /** The size of the buffers relays use, in bytes. */
    public int bufferSize() {
        return loops.bufferSize();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return loops.isClosed();
    }

    /** Stops every loop, closing the channels still registered on them; waits for the threads to end. */
    @Override
    public void close() {
        loops.close();
    }

    /** The loops themselves, for the proxies of this package. */
    Loops loops() {
        return loops;
    }

    @Override
    public String toString() {
        return "EventLoopGroup[" + loops.size() + " loops]";
    }
}
