package io.jlb.nio.internal;

import io.jlb.nio.EventLoopGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** The implementation behind {@link EventLoopGroup}: N started loops, handed out in turn. */
public final class Loops implements EventLoopGroup {
    /** How many free buffers each loop keeps. */
    static final int MAX_POOLED_BUFFERS = 256;

    private final EventLoop[] loops;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final int bufferSize;

    private Loops(EventLoop[] loops, int bufferSize) {
        this.loops = loops;
        this.bufferSize = bufferSize;
    }

    /** Starts {@code threads} loops named {@code prefix-0 ...}, each with buffers of {@code bufferSize} bytes. */
    public static Loops start(String prefix, int threads, int bufferSize) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        if (bufferSize < 1024) {
            throw new IllegalArgumentException("bufferSize: " + bufferSize + " (expected: >= 1024)");
        }
        EventLoop[] loops = new EventLoop[threads];
        try {
            for (int i = 0; i < threads; i++) {
                loops[i] = new EventLoop(prefix + "-" + i, bufferSize, MAX_POOLED_BUFFERS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        for (EventLoop loop : loops) {
            loop.start();
        }
        return new Loops(loops, bufferSize);
    }

    /** The implementation of a group made by {@link EventLoopGroup}. */
    public static Loops of(EventLoopGroup group) {
        return (Loops) group;
    }

    /** The next loop in turn. */
    public EventLoop next() {
        return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
    }

    /** Loop number {@code i}. */
    public EventLoop loop(int i) {
        return loops[i];
    }

    @Override
    public int size() {
        return loops.length;
    }

    @Override
    public int bufferSize() {
        return bufferSize;
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (EventLoop loop : loops) {
            loop.shutdown();
        }
        for (EventLoop loop : loops) {
            try {
                loop.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
