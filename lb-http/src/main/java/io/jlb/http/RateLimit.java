package io.jlb.http;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * A token bucket: {@code rate} requests per {@code per}, with bursts of up to {@code burst}, counted per key: the
 * client's address, the authenticated identity, a header's value, the route, or one bucket for all. A request over
 * the limit is answered 429 with {@code Retry-After} and {@code RateLimit-Limit}/{@code -Remaining}/{@code -Reset}.
 *
 * <p>Limits by client, route or for all are checked before authentication, so that they also shed unauthenticated
 * floods. Limits by identity or header are checked after it, on authenticated requests only, so that a client can
 * neither reset its own bucket by changing a header nor spend a victim's by naming it; a request without an
 * identity (or without the header) is counted under the client's address. Brute force against credentials is
 * limited separately, by {@link Policies.Builder#authFailureLimit}. Memory is fixed by {@code maxKeys}: at most 64
 * bytes a key, whatever the keys' length. Immutable.
 *
 * <pre>{@code
 * RateLimit.of(100, Duration.ofSeconds(1)).withBurst(200).byIdentity()
 * }</pre>
 *
 * @param rate requests admitted per {@code per} once the burst is spent
 * @param per the period of {@code rate}
 * @param burst requests admitted at once by a full bucket
 * @param key what the buckets are counted by
 * @param header the header keyed on, for {@link Key#HEADER}
 * @param maxKeys how many keys are tracked at once; keys beyond share one bucket with the same limit
 */
public record RateLimit(long rate, Duration per, long burst, Key key, String header, int maxKeys) {
    /** What buckets are kept per. */
    public enum Key {
        /** The client's address (from the PROXY protocol or a trusted proxy's X-Forwarded-For when used). */
        CLIENT,
        /** The identity authentication established (the API key's holder, the user, the token's subject). */
        IDENTITY,
        /** The value of a request header, such as an API key. */
        HEADER,
        /** The route. */
        ROUTE,
        /** One bucket for every request. */
        GLOBAL
    }

    /** Checks the values. */
    public RateLimit {
        Objects.requireNonNull(per, "per");
        Objects.requireNonNull(key, "key");
        if (rate < 1) {
            throw new IllegalArgumentException("rate: " + rate + " (expected: >= 1)");
        }
        if (per.isNegative() || per.isZero()) {
            throw new IllegalArgumentException("per: " + per + " (expected: > 0)");
        }
        if (per.toNanos() / rate < 1) {
            throw new IllegalArgumentException("rate: " + rate + " per " + per + " is more than one per nanosecond");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
        }
        if (key == Key.HEADER) {
            HeaderRules.checkName(Objects.requireNonNull(header, "header"));
        }
        if (maxKeys < 1 || maxKeys > 100_000_000) {
            throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: 1 to 100000000)");
        }
    }

    /** {@code rate} per {@code per}, burst equal to the rate, by client address, up to 100,000 keys (6 MiB). */
    public static RateLimit of(long rate, Duration per) {
        return new RateLimit(rate, per, rate, Key.CLIENT, null, 100_000);
    }

    /** {@code rate} per second. */
    public static RateLimit perSecond(long rate) {
        return of(rate, Duration.ofSeconds(1));
    }

    /** A copy with this burst. */
    public RateLimit withBurst(long value) {
        return new RateLimit(rate, per, value, key, header, maxKeys);
    }

    /** A copy counting per client address. */
    public RateLimit byClient() {
        return new RateLimit(rate, per, burst, Key.CLIENT, null, maxKeys);
    }

    /** A copy counting per authenticated identity. */
    public RateLimit byIdentity() {
        return new RateLimit(rate, per, burst, Key.IDENTITY, null, maxKeys);
    }

    /** Whether the limit is checked after authentication (by identity or by header). */
    boolean afterAuthentication() {
        return key == Key.IDENTITY || key == Key.HEADER;
    }

    /** A copy counting per value of header {@code name}. */
    public RateLimit byHeader(String name) {
        return new RateLimit(rate, per, burst, Key.HEADER, name, maxKeys);
    }

    /** A copy counting per route. */
    public RateLimit byRoute() {
        return new RateLimit(rate, per, burst, Key.ROUTE, null, maxKeys);
    }

    /** A copy with one bucket for everything. */
    public RateLimit global() {
        return new RateLimit(rate, per, burst, Key.GLOBAL, null, maxKeys);
    }

    /** A copy keeping at most {@code value} buckets. */
    public RateLimit withMaxKeys(int value) {
        return new RateLimit(rate, per, burst, key, header, value);
    }

    @Override
    public String toString() {
        String by = switch (key) {
            case HEADER -> "header " + header;
            default -> key.name().toLowerCase(Locale.ROOT);
        };
        return rate + "/" + per + " burst " + burst + " by " + by;
    }
}
