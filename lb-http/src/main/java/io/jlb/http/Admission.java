package io.jlb.http;

import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether an exchange may go on, by its route's policies: the limit on failed authentications, the rate limit (by
 * client, route or for all before authentication; by identity or header after it), and authentication itself, on the
 * loop or, when slow, on a worker thread. A refusal is answered through the exchange. Stateless apart from the
 * exchange it is asked about; one per exchange.
 */
final class Admission {
    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

    /** What {@link #admit} decided. */
    enum Decision {
        /** Go on. */
        PASS,
        /** Refused, and answered. */
        REFUSED,
        /** Waiting for a check on a worker thread; {@link Exchange#admitted} follows on the loop. */
        PENDING
    }

    private final Exchange exchange;

    Admission(Exchange exchange) {
        this.exchange = exchange;
    }

    /** Runs the policies of {@code rp} on the request. */
    Decision admit(RoutePolicy rp) {
        ListenerContext ctx = exchange.context();
        long now = exchange.loop().now();
        if (rp.authFailures != null && rp.authFailures.exhausted(exchange.clientIp(), now)) {
            ctx.stats.rateLimited.increment();
            exchange.refuse(429, "too many failed authentications", "Retry-After: "
                    + Math.max(1, rp.authFailures.limit().per().toSeconds() / rp.authFailures.limit().rate()));
            return Decision.REFUSED;
        }
        if (rp.limiter != null && !rp.limiter.limit().afterAuthentication() && !withinLimit(rp, null)) {
            return Decision.REFUSED;
        }
        Authentication auth = rp.policies.authentication;
        if (auth == null) {
            return rp.limiter == null || !rp.limiter.limit().afterAuthentication() || withinLimit(rp, null)
                    ? Decision.PASS : Decision.REFUSED;
        }
        Authentication.Result r = null;
        Supplier<Authentication.Result> slow;
        try {
            slow = auth.offLoop(exchange.view());
            if (slow == null) {
                r = auth.authenticate(exchange.view());
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: authentication of {} failed", ctx.name, exchange.view(), e);
            exchange.refuse(500, "authentication failed");
            return Decision.REFUSED;
        }
        if (slow != null) {
            return offLoop(slow);
        }
        return decided(rp, r);
    }

    /** Applies an authentication's decision (on the loop). */
    Decision decided(RoutePolicy rp, Authentication.Result r) {
        ListenerContext ctx = exchange.context();
        if (r == null) {
            exchange.refuse(500, "authentication failed");
            return Decision.REFUSED;
        }
        if (!r.allowed()) {
            ctx.stats.authFailures.increment();
            if (rp.authFailures != null) {
                rp.authFailures.acquire(exchange.clientIp(), exchange.loop().now());
            }
            if (r.challenge() != null) {
                exchange.refuse(r.status(), r.reason(), "WWW-Authenticate: " + r.challenge());
            } else {
                exchange.refuse(r.status(), r.reason());
            }
            return Decision.REFUSED;
        }
        exchange.policy().authenticated(r);
        return rp.limiter == null || !rp.limiter.limit().afterAuthentication() || withinLimit(rp, r.identity())
                ? Decision.PASS : Decision.REFUSED;
    }

    /** Charges the route's rate limit; false when the request was refused (429, answered). */
    private boolean withinLimit(RoutePolicy rp, String identity) {
        RateLimiter.Verdict v = rp.limiter.acquire(key(rp.limiter.limit(), identity), exchange.loop().now());
        if (v.admitted()) {
            return true;
        }
        exchange.context().stats.rateLimited.increment();
        long retry = Math.max(1, (v.retryAfterNanos() + 999_999_999L) / 1_000_000_000L);
        long reset = Math.max(1, (v.resetNanos() + 999_999_999L) / 1_000_000_000L);
        exchange.refuse(429, "rate limit exceeded", "Retry-After: " + retry,
                "RateLimit-Limit: " + rp.limiter.limit().burst(), "RateLimit-Remaining: 0", "RateLimit-Reset: " + reset);
        return false;
    }

    private String key(RateLimit limit, String identity) {
        return switch (limit.key()) {
            case HEADER -> {
                String v = exchange.view().header(limit.header());
                yield v != null ? "h:" + v : "c:" + exchange.clientIp();
            }
            case IDENTITY -> identity != null ? "i:" + identity : "c:" + exchange.clientIp();
            case ROUTE -> exchange.route().toString();
            case GLOBAL -> "";
            default -> exchange.clientIp();
        };
    }

    /**
     * Runs a slow check on a worker thread; the exchange waits (its head stays where it is, no further request is
     * read) and goes on, on its loop, when the decision comes back.
     */
    private Decision offLoop(Supplier<Authentication.Result> check) {
        int seq = exchange.sequence();
        String client = exchange.clientIp();
        try {
            exchange.context().checks.execute(() -> {
                Authentication.Result r;
                try {
                    r = check.get();
                } catch (RuntimeException e) {
                    LOG.warn("{}: authentication of a request from {} failed", exchange.context().name, client, e);
                    r = null;
                }
                Authentication.Result decided = r;
                exchange.loop().execute(() -> exchange.admitted(seq, decided));
            });
        } catch (RejectedExecutionException e) {
            exchange.respond(503, "too many credentials waiting to be checked");
            return Decision.REFUSED;
        }
        return Decision.PENDING;
    }
}
