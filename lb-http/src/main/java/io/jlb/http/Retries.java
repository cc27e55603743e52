package io.jlb.http;

import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * When a request is tried again on another backend. A failed connection is always retried (nothing was sent); a
 * response with one of {@link #statuses()} is retried when no byte of it has reached the client and the request can
 * be sent again: its method is idempotent (GET, HEAD, OPTIONS, TRACE, PUT, DELETE), or its whole body arrived with
 * its head and is at most {@link #maxBufferedBody()} bytes. A budget bounds retries in flight to
 * {@link #budgetPercent()} of the requests in flight (and at least {@link #minConcurrent()}), so that retries cannot
 * multiply the load on a failing pool. Immutable.
 *
 * @param attempts tries in all, the first included (1: no retry)
 * @param statuses response statuses that are retried
 * @param maxBufferedBody the largest request body kept to be sent again
 * @param budgetPercent retries in flight as a share of requests in flight
 * @param minConcurrent retries always allowed in flight, whatever the share
 */
public record Retries(int attempts, Set<Integer> statuses, int maxBufferedBody, int budgetPercent, int minConcurrent) {
    /** Checks the values. */
    public Retries {
        Objects.requireNonNull(statuses, "statuses");
        if (attempts < 1 || attempts > 10) {
            throw new IllegalArgumentException("attempts: " + attempts + " (expected: 1 to 10)");
        }
        for (int s : statuses) {
            if (s < 500 || s > 599) {
                throw new IllegalArgumentException("retried status: " + s + " (expected: 500 to 599)");
            }
        }
        statuses = Set.copyOf(new TreeSet<>(statuses));
        if (maxBufferedBody < 0 || maxBufferedBody > 1 << 20) {
            throw new IllegalArgumentException("maxBufferedBody: " + maxBufferedBody + " (expected: 0 to 1 MiB)");
        }
        if (budgetPercent < 0 || budgetPercent > 100) {
            throw new IllegalArgumentException("budgetPercent: " + budgetPercent + " (expected: 0 to 100)");
        }
        if (minConcurrent < 0) {
            throw new IllegalArgumentException("minConcurrent: " + minConcurrent + " (expected: >= 0)");
        }
    }

    /** Up to {@code attempts} tries on 502 and 503, bodies up to 64 KiB kept, a budget of 20% and at least 3. */
    public static Retries of(int attempts) {
        return new Retries(attempts, Set.of(502, 503), 64 * 1024, 20, 3);
    }

    /** A copy retrying these statuses. */
    public Retries on(Integer... values) {
        return new Retries(attempts, Set.copyOf(Arrays.asList(values)), maxBufferedBody, budgetPercent, minConcurrent);
    }

    /** A copy keeping bodies up to {@code bytes} to send again. */
    public Retries withMaxBufferedBody(int bytes) {
        return new Retries(attempts, statuses, bytes, budgetPercent, minConcurrent);
    }

    /** A copy with this budget. */
    public Retries withBudget(int percent, int minimumConcurrent) {
        return new Retries(attempts, statuses, maxBufferedBody, percent, minimumConcurrent);
    }

    boolean retries(int status) {
        return statuses.contains(status);
    }
}
