package io.jlb.nio.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * N started event loops, handed out in turn: what the public {@code EventLoopGroup} holds, and what a proxy given
 * none starts for itself.
 */
public final class Loops implements AutoCloseable {
    /** How many free buffers each loop keeps. */
    static final int MIN_POOLED_BUFFERS = 256;

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
        return start(prefix, threads, bufferSize, System::nanoTime);
    }

    /**
     * Starts loops whose clock is {@code clock} (nanoseconds): tests move it by hand, and wake the loops (with a
     * task) for timers to fire.
     */
    public static Loops start(String prefix, int threads, int bufferSize, java.util.function.LongSupplier clock) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        if (bufferSize < 1024) {
            throw new IllegalArgumentException("bufferSize: " + bufferSize + " (expected: >= 1024)");
        }
        EventLoop[] loops = new EventLoop[threads];
        try {
            for (int i = 0; i < threads; i++) {
                loops[i] = new EventLoop(prefix + "-" + i, bufferSize, MIN_POOLED_BUFFERS, clock);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        for (EventLoop loop : loops) {
            loop.start();
        }
        return new Loops(loops, bufferSize);
    }

    /** Finds the loops of a public group; installed by the group's class, so that this package never names it. */
    private static volatile java.util.function.Function<Object, Loops> groups;

    /** Installs how the loops of a public group are found (called once, by that class). */
    public static void resolveGroupsWith(java.util.function.Function<Object, Loops> resolver) {
        groups = resolver;
    }

    /** The loops of {@code group}, an {@code io.jlb.nio.EventLoopGroup}. */
    public static Loops of(Object group) {
        return groups.apply(group);
    }

    /** The next loop in turn. */
    public EventLoop next() {
        return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
    }

    /** The loop with the least {@linkplain EventLoop#load() load}; the first such, from a rotating start. */
    public EventLoop leastLoaded() {
        int start = Math.floorMod(next.getAndIncrement(), loops.length);
        EventLoop best = loops[start];
        int bestLoad = best.load();
        for (int i = 1; i < loops.length; i++) {
            EventLoop l = loops[(start + i) % loops.length];
            int load = l.load();
            if (load < bestLoad) {
                best = l;
                bestLoad = load;
            }
        }
        return best;
    }

    /** Loop number {@code i}. */
    public EventLoop loop(int i) {
        return loops[i];
    }

    /** How many loops there are. */
    public int size() {
        return loops.length;
    }

    /** The size of their buffers, in bytes. */
    public int bufferSize() {
        return bufferSize;
    }

    /** Whether {@link #close()} was called. */
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
