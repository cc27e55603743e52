package io.jlb.core;

import java.time.Duration;

/** Formats durations the way people write them in logs and configuration: {@code 250ms}, {@code 10s}, {@code 5m}. */
final class Durations {
    private Durations() {}

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0 && !d.isZero()) {
            return d.toNanos() / 1000 + "us";
        }
        if (ms % 60_000 == 0 && ms >= 60_000) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0 && ms >= 1000) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
