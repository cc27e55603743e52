package io.jlb.core;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Runs tasks later or now, off the caller's thread: health probes, ejection timers, slow-start steps and pool
 * changes requested from hot paths. Injectable, so that tests run time by hand; the default
 * ({@link #newDaemon(String)}) is one daemon thread.
 */
public interface Scheduler extends Executor {
    /** Runs {@code task} once after {@code delay}; a zero or negative delay runs it as soon as possible. */
    Cancellable schedule(Duration delay, Runnable task);

    /** Runs {@code task} as soon as possible. */
    @Override
    default void execute(Runnable task) {
        schedule(Duration.ZERO, task);
    }

    /** A scheduler backed by one daemon thread named {@code threadName}; {@link Closeable#close()} stops it. */
    static Closeable newDaemon(String threadName) {
        return new ThreadScheduler(threadName);
    }

    /** A scheduled task that can be called off. */
    @FunctionalInterface
    interface Cancellable {
        /** Calls the task off if it has not started; does nothing otherwise. */
        void cancel();
    }

    /** A scheduler that owns a thread, stopped by {@link #close()}. */
    interface Closeable extends Scheduler, AutoCloseable {
        /** Stops the thread; queued tasks are dropped, a running task finishes. Waits briefly for it. */
        @Override
        void close();
    }
}
