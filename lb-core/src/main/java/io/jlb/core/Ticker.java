package io.jlb.core;

/**
 * A source of monotonic nanosecond time, injectable so that tests drive time by hand instead of sleeping.
 */
@FunctionalInterface
public interface Ticker {
    /** Nanoseconds from an arbitrary origin; only differences are meaningful. */
    long read();

    /** {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
