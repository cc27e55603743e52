package io.jlb.http;

import io.jlb.core.Pool;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * One routing rule, immutable: conditions that must all hold, and what to do with a matching request — send it to
 * a pool, or split it between pools by weight — with an optional path rewrite.
 */
final class Route {
    private final String description;
    private final List<Predicate<RequestView>> conditions;
    private final Pool[] pools;
    private final int[] cumulativeWeights;
    private final String stripPrefix;
    private final Handler handler;
    private final long maxBodyBytes;
    private final RoutePolicy policy;

    Route(String description, List<Predicate<RequestView>> conditions, Pool[] pools, int[] weights, String stripPrefix,
            Handler handler, long maxBodyBytes, RoutePolicy policy) {
        this.handler = handler;
        this.policy = policy;
        this.maxBodyBytes = maxBodyBytes;
        this.description = description;
        this.conditions = List.copyOf(conditions);
        this.pools = pools;
        this.cumulativeWeights = new int[weights.length];
        int sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            cumulativeWeights[i] = sum;
        }
        this.stripPrefix = stripPrefix;
    }

    boolean matches(RequestView request) {
        for (Predicate<RequestView> c : conditions) {
            if (!c.test(request)) {
                return false;
            }
        }
        return true;
    }

    /** The pool for this request: the only one, or one drawn by weight. */
    Pool pool() {
        if (pools.length == 1) {
            return pools[0];
        }
        int r = ThreadLocalRandom.current().nextInt(cumulativeWeights[cumulativeWeights.length - 1]);
        for (int i = 0; i < pools.length; i++) {
            if (r < cumulativeWeights[i]) {
                return pools[i];
            }
        }
        return pools[pools.length - 1];
    }

    /** The pools this route sends to (none for a handler route). */
    Pool[] pools() {
        return pools;
    }

    /** The handler answering matching requests in the proxy, or null for a forwarding route. */
    Handler handler() {
        return handler;
    }

    /** The largest request body a handler route reads. */
    long maxBodyBytes() {
        return maxBodyBytes;
    }

    /** What the route's policies do. */
    RoutePolicy policy() {
        return policy;
    }

    /** The prefix to strip from the path before forwarding, or null. */
    String stripPrefix() {
        return stripPrefix;
    }

    @Override
    public String toString() {
        return description;
    }
}
