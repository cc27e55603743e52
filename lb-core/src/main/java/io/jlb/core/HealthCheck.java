package io.jlb.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Active health checking for a pool: how to probe, how often, and how many results in a row change a verdict.
 *
 * <p>Each backend is probed every {@code interval}, varied by ± {@code jitter} × interval so that probes of many
 * backends (and of several balancers) do not align. A probe not answered within {@code timeout} fails. A backend
 * goes down after {@code fall} failures in a row and up again after {@code rise} passes in a row; a backend not yet
 * checked goes up on its first pass. The defaults are HAProxy's: every 2 s, rise 2, fall 3.
 *
 * @param probe what to run
 * @param interval time between probes of one backend
 * @param timeout how long a probe may take
 * @param rise passes in a row that bring a down backend up
 * @param fall failures in a row that take a backend down
 * @param jitter the fraction of the interval by which each delay varies, 0 (none) to 0.5
 */
public record HealthCheck(HealthProbe probe, Duration interval, Duration timeout, int rise, int fall, double jitter) {
    /** Validates the fields. */
    public HealthCheck {
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        if (rise < 1) {
            throw new IllegalArgumentException("rise: " + rise + " (expected: >= 1)");
        }
        if (fall < 1) {
            throw new IllegalArgumentException("fall: " + fall + " (expected: >= 1)");
        }
        if (!(jitter >= 0 && jitter <= 0.5)) {
            throw new IllegalArgumentException("jitter: " + jitter + " (expected: 0 to 0.5)");
        }
    }

    /** {@code probe} every 2 s, 1 s timeout, rise 2, fall 3, jitter 0.1. */
    public static HealthCheck of(HealthProbe probe) {
        return new HealthCheck(probe, Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3, 0.1);
    }

    /** TCP-connect checks with the defaults of {@link #of(HealthProbe)}. */
    public static HealthCheck tcp() {
        return of(HealthProbe.tcp());
    }

    /** A copy probing every {@code every}. */
    public HealthCheck withInterval(Duration every) {
        return new HealthCheck(probe, every, timeout, rise, fall, jitter);
    }

    /** A copy with another probe timeout. */
    public HealthCheck withTimeout(Duration limit) {
        return new HealthCheck(probe, interval, limit, rise, fall, jitter);
    }

    /** A copy needing {@code passes} in a row to come up. */
    public HealthCheck withRise(int passes) {
        return new HealthCheck(probe, interval, timeout, passes, fall, jitter);
    }

    /** A copy needing {@code failures} in a row to go down. */
    public HealthCheck withFall(int failures) {
        return new HealthCheck(probe, interval, timeout, rise, failures, jitter);
    }

    /** A copy with another jitter fraction. */
    public HealthCheck withJitter(double fraction) {
        return new HealthCheck(probe, interval, timeout, rise, fall, fraction);
    }

    /** A copy with another probe. */
    public HealthCheck withProbe(HealthProbe other) {
        return new HealthCheck(other, interval, timeout, rise, fall, jitter);
    }
}
