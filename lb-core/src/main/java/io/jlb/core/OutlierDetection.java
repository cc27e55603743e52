package io.jlb.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Passive failure detection: a backend that fails {@code consecutiveFailures} uses in a row (refused connections,
 * timeouts, resets, and the HTTP statuses of {@link #failOn()}, as reported through {@link Lease#failure()}) is
 * ejected for {@code baseEjectionTime} × the number of its recent ejections, at most {@code maxEjectionTime}. No
 * more than {@code maxEjectionPercent} of a pool is ejected at once (rounded down: the only backend of a pool is
 * never ejected), and never a backend whose ejection would put the pool in panic. A passing active health probe
 * ends an ejection early.
 *
 * @param consecutiveFailures failures in a row that eject; 0 disables detection
 * @param baseEjectionTime how long a first ejection lasts
 * @param maxEjectionTime the longest an ejection may last
 * @param maxEjectionPercent the largest share of the pool ejected at once, 0 to 100
 * @param failOn which HTTP responses count as failures
 */
public record OutlierDetection(int consecutiveFailures, Duration baseEjectionTime, Duration maxEjectionTime,
        int maxEjectionPercent, FailOn failOn) {
    /** Which HTTP responses count as failures of the backend (connection failures always do). */
    public enum FailOn {
        /** 502, 503 and 504: the backend, or what is behind it, is not answering (Envoy's gateway failures). */
        GATEWAY_ERRORS,
        /** Every 5xx, an application's own 500 included. */
        ANY_5XX;

        /** Whether a response with {@code status} counts as a failure. */
        public boolean counts(int status) {
            return this == ANY_5XX ? status >= 500 : status == 502 || status == 503 || status == 504;
        }
    }

    private static final OutlierDetection DEFAULTS =
            new OutlierDetection(5, Duration.ofSeconds(10), Duration.ofMinutes(5), 50, FailOn.GATEWAY_ERRORS);
    private static final OutlierDetection DISABLED =
            new OutlierDetection(0, Duration.ofSeconds(10), Duration.ofMinutes(5), 50, FailOn.GATEWAY_ERRORS);

    /** Detection counting gateway errors. */
    public OutlierDetection(int consecutiveFailures, Duration baseEjectionTime, Duration maxEjectionTime,
            int maxEjectionPercent) {
        this(consecutiveFailures, baseEjectionTime, maxEjectionTime, maxEjectionPercent, FailOn.GATEWAY_ERRORS);
    }

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
        Objects.requireNonNull(failOn, "failOn");
    }

    /**
     * 5 failures (connection failures, 502, 503, 504) in a row eject for 10 s (growing to 5 min on repeats), at most
     * half the pool at once.
     */
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
        return new OutlierDetection(failures, baseEjectionTime, maxEjectionTime, maxEjectionPercent, failOn);
    }

    /** A copy with another base ejection time. */
    public OutlierDetection withBaseEjectionTime(Duration time) {
        return new OutlierDetection(consecutiveFailures, time, maxEjectionTime.compareTo(time) < 0 ? time : maxEjectionTime,
                maxEjectionPercent, failOn);
    }

    /** A copy with another maximum ejection time. */
    public OutlierDetection withMaxEjectionTime(Duration time) {
        return new OutlierDetection(consecutiveFailures, baseEjectionTime, time, maxEjectionPercent, failOn);
    }

    /** A copy with another maximum ejected share. */
    public OutlierDetection withMaxEjectionPercent(int percent) {
        return new OutlierDetection(consecutiveFailures, baseEjectionTime, maxEjectionTime, percent, failOn);
    }

    /** A copy counting these responses as failures. */
    public OutlierDetection withFailOn(FailOn value) {
        return new OutlierDetection(consecutiveFailures, baseEjectionTime, maxEjectionTime, maxEjectionPercent, value);
    }
}
