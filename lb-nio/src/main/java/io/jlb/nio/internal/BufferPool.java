package io.jlb.nio.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * One loop's direct buffers, all of one size. A connection takes a buffer when bytes are in flight and gives it
 * back as soon as it is drained, so idle connections hold none. Every returned buffer is kept for reuse: allocating
 * a direct buffer (zeroed, registered with a cleaner) costs far more than reusing one, and a load that needs a
 * thousand buffers at once would otherwise allocate hundreds per second. What a whole {@link #trim() trim} interval
 * left unused beyond {@code minPooled} is released, so the pool follows the load down as well as up. Loop-confined.
 */
public final class BufferPool {
    private final int bufferSize;
    private final int minPooled;
    private final boolean direct;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private long allocated;
    private int inUse;
    /** The fewest free buffers since the last trim: how many the interval did not need. */
    private int leastFree;

    BufferPool(int bufferSize, int minPooled) {
        this(bufferSize, minPooled, true);
    }

    BufferPool(int bufferSize, int minPooled, boolean direct) {
        this.bufferSize = bufferSize;
        this.minPooled = minPooled;
        this.direct = direct;
    }

    /** A cleared buffer of {@link #bufferSize()} bytes. */
    public ByteBuffer take() {
        ByteBuffer b = free.pollFirst();
        if (free.size() < leastFree) {
            leastFree = free.size();
        }
        if (b == null) {
            b = direct ? ByteBuffer.allocateDirect(bufferSize) : ByteBuffer.allocate(bufferSize);
            allocated++;
        }
        inUse++;
        return b;
    }

    /** Returns a buffer taken from this pool; null is ignored. */
    public void give(ByteBuffer buffer) {
        if (buffer == null) {
            return;
        }
        inUse--;
        buffer.clear();
        free.addFirst(buffer);
    }

    /**
     * Releases the free buffers the interval since the last call did not need (the fewest that were free at any
     * time), keeping at least {@code minPooled}; the loop calls it every few seconds.
     */
    public void trim() {
        int surplus = Math.min(leastFree, free.size() - minPooled);
        for (int i = 0; i < surplus; i++) {
            free.pollLast(); // the least recently used
        }
        leastFree = free.size();
    }

    /** Whether {@code buffer} came from this pool (its size and kind), so that it may be given back. */
    public boolean owns(ByteBuffer buffer) {
        return buffer.capacity() == bufferSize && buffer.isDirect() == direct;
    }

    /** The size of every buffer. */
    public int bufferSize() {
        return bufferSize;
    }

    /** Buffers handed out and not returned. */
    public int inUse() {
        return inUse;
    }

    /** Free buffers kept for reuse. */
    public int pooled() {
        return free.size();
    }

    /** Buffers ever allocated. */
    public long allocated() {
        return allocated;
    }
}
