package io.jlb.core.testing;

import io.jlb.core.Scheduler;
import io.jlb.core.Ticker;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A fake clock that is both the {@link Ticker} and the {@link Scheduler}: time moves only when a test calls
 * {@link #advance(Duration)}, which runs every task that falls due, in time order, with the ticker set to each
 * task's due time. Tasks may be scheduled from any thread. Nothing here sleeps.
 */
public final class ManualClock implements Ticker, Scheduler {
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now = 1_000_000_000L;
    private long sequence;

    @Override
    public synchronized long read() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        Task t = new Task(now + Math.max(0, delay.toNanos()), sequence++, task);
        tasks.add(t);
        return () -> {
            synchronized (ManualClock.this) {
                tasks.remove(t);
            }
        };
    }

    /** Moves time forward by {@code step}, running due tasks (including ones they schedule) in order. */
    public void advance(Duration step) {
        long target;
        synchronized (this) {
            target = now + step.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due > target) {
                    now = target;
                    return;
                }
                tasks.poll();
                now = Math.max(now, next.due);
            }
            next.task.run();
        }
    }

    /** Runs the tasks due now (those scheduled with no delay), without moving time. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** How many tasks wait. */
    public synchronized int pending() {
        return tasks.size();
    }

    private record Task(long due, long sequence, Runnable task) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }
}
