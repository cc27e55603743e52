package io.jlb.nio.internal;

/**
 * A reusable one-shot timer of one {@link EventLoop}: schedule, reschedule and cancel cost no allocation, so a
 * connection keeps its timers for its whole life. Loop-confined: every method must be called on the loop's thread.
 * Idle timeouts are lazy: record activity cheaply, and when the timer fires check whether the deadline really
 * passed, rescheduling otherwise.
 */
public final class Timer {
    final EventLoop loop;
    final Runnable action;
    long deadline;
    int heapIndex = -1;

    Timer(EventLoop loop, Runnable action) {
        this.loop = loop;
        this.action = action;
    }

    /** Fires {@code action} once {@code delayNanos} from the loop's current time; replaces an earlier schedule. */
    public void schedule(long delayNanos) {
        scheduleAt(loop.now() + delayNanos);
    }

    /** Fires {@code action} at the loop-clock time {@code deadlineNanos}; replaces an earlier schedule. */
    public void scheduleAt(long deadlineNanos) {
        loop.assertInLoop();
        loop.timers().schedule(this, deadlineNanos);
    }

    /** Calls the timer off; harmless when not scheduled. */
    public void cancel() {
        if (heapIndex >= 0) {
            loop.timers().remove(this);
        }
    }

    /** Whether the timer is waiting to fire. */
    public boolean scheduled() {
        return heapIndex >= 0;
    }

    /** When it fires, in loop-clock nanoseconds (meaningful while {@link #scheduled()}). */
    public long deadline() {
        return deadline;
    }
}
