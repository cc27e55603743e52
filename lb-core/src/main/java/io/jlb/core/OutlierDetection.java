package io.jlb.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Passive failure detection: a backend that fails {@code consecutiveFailures} uses in a row (refused connections,
 * timeouts, 5xx, as reported through {@link Lease#failure()}) is ejected for {@code baseEjectionTime} × the number
 * of its recent ejections, at most {@code maxEjectionTime}. No more than {@code maxEjectionPercent} of a pool is
 * ejected at once (at least one backend always may be). A passing active health probe ends an ejection early.
 *
 * @param consecutiveFailures failures in a row that eject; 0 disables detection
 * @param baseEjectionTime how long a first ejection lasts
 * @param maxEjectionTime the longest an ejection may last
 * @param maxEjectionPercent the largest share of the pool ejected at once, 0 to 100
 */
public record OutlierDetection(int consecutiveFailures, Duration baseEjectionTime, Duration maxEjectionTime,
        int maxEjectionPercent) {
    private static final OutlierDetection DEFAULTS =
            new OutlierDetection(5, Duration.ofSeconds(10), Duration.ofMinutes(5), 50);
    private static final OutlierDetection DISABLED =
            new OutlierDetection(0, Duration.ofSeconds(10), Duration.ofMinutes(5), 50);

    /** Validates the fields. */
    public OutlierDetection {
        if (consecutiveFailures < 0) {
            throw new IllegalArgumentException("consecutiveFailures: " + consecutiveFailures + " (expected: >= 0)");
        }
        Objects.requireNonNull(baseEjectionTime, "baseEjectionTime");
        Objects.requireNonNull(maxEjectionTime, "maxEjectionTime");
        if (baseEjectionTime.isNegative() || baseEjectionTime.isZero()) {
            throw new IllegalArgumentException("baseEjectionTime: " + baseEjectionTime + " (expected: > 0)");
        }
        if (maxEjectionTime.compareTo(baseEjectionTime) < 0) {
            throw new IllegalArgumentException("maxEjectionTime: " + maxEjectionTime
                    + " (expected: >= baseEjectionTime " + baseEjectionTime + ")");
        }
        if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
            throw new IllegalArgumentException("maxEjectionPercent: " + maxEjectionPercent + " (expected: 0 to 100)");
        }
    }

    /** 5 failures in a row eject for 10 s (growing to 5 min on repeats), at most half the pool at once. */
    public static OutlierDetection defaults() {
        return DEFAULTS;
    }

    /** No passive ejection. */
    public static OutlierDetection disabled() {
        return DISABLED;
    }

    /** Whether detection is on. */
    public boolean enabled() {
        return consecutiveFailures > 0;
    }

    /** A copy ejecting after {@code failures} in a row. */
    public OutlierDetection withConsecutiveFailures(int failures) {
        return new OutlierDetection(failures, baseEjectionTime, maxEjectionTime, maxEjectionPercent);
    }

    /** A copy with another base ejection time. */
    public OutlierDetection withBaseEjectionTime(Duration time) {
        return new OutlierDetection(consecutiveFailures, time, maxEjectionTime.compareTo(time) < 0 ? time : maxEjectionTime,
                maxEjectionPercent);
    }

    /** A copy with another maximum ejection time. */
    public OutlierDetection withMaxEjectionTime(Duration time) {
        return new OutlierDetection(consecutiveFailures, baseEjectionTime, time, maxEjectionPercent);
    }

    /** A copy with another maximum ejected share. */
    public OutlierDetection withMaxEjectionPercent(int percent) {
        return new OutlierDetection(consecutiveFailures, baseEjectionTime, maxEjectionTime, percent);
    }
}
