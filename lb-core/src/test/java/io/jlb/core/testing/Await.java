package io.jlb.core.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline, polling briefly; the test's alternative to sleeping. */
public final class Await {
    private Await() {}

    /** Returns once {@code condition} holds; fails with {@code what} if it does not within {@code limit}. */
    public static void until(Duration limit, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + limit + " waiting for: " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Like {@link #until}, describing the last value seen when it times out. */
    public static <T> T value(Duration limit, String what, Supplier<T> value, java.util.function.Predicate<T> ok) {
        long deadline = System.nanoTime() + limit.toNanos();
        T last = value.get();
        while (!ok.test(last)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + limit + " waiting for: " + what + " (last: " + last + ")");
            }
            LockSupport.parkNanos(1_000_000);
            last = value.get();
        }
        return last;
    }
}
