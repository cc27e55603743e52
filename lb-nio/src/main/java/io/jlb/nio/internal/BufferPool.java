package io.jlb.nio.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * One loop's direct buffers, all of one size. A connection takes a buffer when bytes are in flight and gives it
 * back as soon as it is drained, so idle connections hold none. Up to {@code maxPooled} free buffers are kept for
 * reuse; beyond that, returned buffers are left to the garbage collector. Loop-confined.
 */
public final class BufferPool {
    private final int bufferSize;
    private final int maxPooled;
    private final boolean direct;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private long allocated;
    private int inUse;

    BufferPool(int bufferSize, int maxPooled) {
        this(bufferSize, maxPooled, true);
    }

    BufferPool(int bufferSize, int maxPooled, boolean direct) {
        this.bufferSize = bufferSize;
        this.maxPooled = maxPooled;
        this.direct = direct;
    }

    /** A cleared buffer of {@link #bufferSize()} bytes. */
    public ByteBuffer take() {
        ByteBuffer b = free.pollFirst();
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
        if (free.size() < maxPooled) {
            buffer.clear();
            free.addFirst(buffer);
        }
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
