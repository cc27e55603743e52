package io.jlb.http;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * What the proxy does to requests of a route besides forwarding them: affinity, header rules, request ids,
 * security headers, rate limiting, authentication, retries, circuit breaking and compression. Set for every route
 * with {@link HttpProxyBuilder#policies}, and per route with {@link RouteBuilder#policies}; a route's own setting
 * of a policy replaces the listener's, the others are inherited. Immutable.
 *
 * <pre>{@code
 * HttpProxy.builder()
 *         .policies(p -> p.requestId().securityHeaders(SecurityHeaders.recommended()))
 *         .routes(r -> r.pathPrefix("/api/")
 *                 .policies(p -> p.rateLimit(RateLimit.perSecond(100).withBurst(200).byHeader("X-API-Key"))
 *                         .authentication(Authentication.jwt().publicKeyPem("k1", pem).audience("api").build())
 *                         .retries(Retries.of(3)))
 *                 .to("api"))
 * }</pre>
 */
public final class Policies {
    /** Nothing beyond forwarding. */
    public static final Policies NONE = new Builder().build();

    final StickyCookie sticky;
    final HashKey hashKey;
    final HeaderRules requestHeaders;
    final HeaderRules responseHeaders;
    final String requestIdHeader;
    final SecurityHeaders securityHeaders;
    final RateLimit rateLimit;
    final Authentication authentication;
    final Retries retries;
    final CircuitBreaker circuitBreaker;
    final Compression compression;
    final RateLimit authFailureLimit;
    /** The protocols an Upgrade may switch to (lower-case); null: the default, {@code websocket}. */
    final java.util.Set<String> upgrades;
    /** Whether a valid request id from any client is kept; else only from a trusted proxy. Null: not set. */
    final Boolean trustRequestId;

    private Policies(Builder b) {
        this.sticky = b.sticky;
        this.hashKey = b.hashKey;
        this.requestHeaders = b.requestHeaders;
        this.responseHeaders = b.responseHeaders;
        this.requestIdHeader = b.requestIdHeader;
        this.securityHeaders = b.securityHeaders;
        this.rateLimit = b.rateLimit;
        this.authentication = b.authentication;
        this.retries = b.retries;
        this.circuitBreaker = b.circuitBreaker;
        this.compression = b.compression;
        this.authFailureLimit = b.authFailureLimit;
        this.upgrades = b.upgrades;
        this.trustRequestId = b.trustRequestId;
    }

    /** The protocols an Upgrade may switch to, lower-case. */
    java.util.Set<String> upgradeProtocols() {
        return upgrades != null ? upgrades : java.util.Set.of("websocket");
    }

    /** The policies set, by name. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Policies[");
        Object[] named = {"sticky", sticky, "hashBy", hashKey, "requestHeaders", requestHeaders, "responseHeaders",
            responseHeaders, "requestId", requestIdHeader, "securityHeaders", securityHeaders, "rateLimit", rateLimit,
            "authentication", authentication, "retries", retries, "circuitBreaker", circuitBreaker, "compression",
            compression, "authFailureLimit", authFailureLimit, "upgrades", upgrades, "trustRequestId", trustRequestId};
        String sep = "";
        for (int i = 0; i < named.length; i += 2) {
            if (named[i + 1] != null) {
                sb.append(sep).append(named[i]).append('=').append(named[i + 1]);
                sep = ", ";
            }
        }
        return sb.append(']').toString();
    }

    /** Describes policies. */
    public static Policies of(Consumer<Builder> spec) {
        Builder b = new Builder();
        spec.accept(b);
        return b.build();
    }

    /** These policies, with what they leave unset taken from {@code defaults}. */
    Policies over(Policies defaults) {
        Builder b = new Builder();
        boolean ownAffinity = sticky != null || hashKey != null; // sticky and hashBy are one choice: affinity
        b.sticky = ownAffinity ? sticky : defaults.sticky;
        b.hashKey = ownAffinity ? hashKey : defaults.hashKey;
        b.requestHeaders = requestHeaders != null ? requestHeaders : defaults.requestHeaders;
        b.responseHeaders = responseHeaders != null ? responseHeaders : defaults.responseHeaders;
        b.requestIdHeader = requestIdHeader != null ? requestIdHeader : defaults.requestIdHeader;
        b.securityHeaders = securityHeaders != null ? securityHeaders : defaults.securityHeaders;
        b.rateLimit = rateLimit != null ? rateLimit : defaults.rateLimit;
        b.authentication = authentication != null ? authentication : defaults.authentication;
        b.retries = retries != null ? retries : defaults.retries;
        b.circuitBreaker = circuitBreaker != null ? circuitBreaker : defaults.circuitBreaker;
        b.compression = compression != null ? compression : defaults.compression;
        b.authFailureLimit = authFailureLimit != null ? authFailureLimit : defaults.authFailureLimit;
        b.upgrades = upgrades != null ? upgrades : defaults.upgrades;
        b.trustRequestId = trustRequestId != null ? trustRequestId : defaults.trustRequestId;
        return b.build();
    }

    /** Sets policies; each may be set once per builder. */
    public static final class Builder {
        private StickyCookie sticky;
        private HashKey hashKey;
        private HeaderRules requestHeaders;
        private HeaderRules responseHeaders;
        private String requestIdHeader;
        private SecurityHeaders securityHeaders;
        private RateLimit rateLimit;
        private Authentication authentication;
        private Retries retries;
        private CircuitBreaker circuitBreaker;
        private Compression compression;
        private RateLimit authFailureLimit;
        private java.util.Set<String> upgrades;
        private Boolean trustRequestId;

        Builder() {}

        /** Cookie-based session affinity (a route's own affinity, sticky or hashBy, replaces the listener's). */
        public Builder sticky(StickyCookie value) {
            sticky = once("sticky", sticky, value);
            return this;
        }

        /** Affinity by hashing a header, cookie or query value (with a consistent-hashing selector). */
        public Builder hashBy(HashKey value) {
            hashKey = once("hashBy", hashKey, value);
            return this;
        }

        /** Header changes on requests sent to backends. */
        public Builder requestHeaders(Consumer<HeaderRules.Builder> spec) {
            HeaderRules.Builder b = HeaderRules.builder();
            spec.accept(b);
            requestHeaders = once("requestHeaders", requestHeaders, b.build());
            return this;
        }

        /** Header changes on responses sent to clients. */
        public Builder responseHeaders(Consumer<HeaderRules.Builder> spec) {
            HeaderRules.Builder b = HeaderRules.builder();
            spec.accept(b);
            responseHeaders = once("responseHeaders", responseHeaders, b.build());
            return this;
        }

        /** Request ids in {@code X-Request-Id}. */
        public Builder requestId() {
            return requestId("X-Request-Id");
        }

        /**
         * Request ids in header {@code name}: a valid one that arrives (1 to 128 characters of letters, digits and
         * {@code -_.:+/=}) is passed on, otherwise one is made; it goes to the backend, back on the response, and
         * into the access log.
         */
        public Builder requestId(String name) {
            requestIdHeader = once("requestId", requestIdHeader, HeaderRules.checkName(name));
            return this;
        }

        /**
         * Whether a valid request id that arrives from any client is passed on; otherwise (the default) only one from a
         * {@link HttpProxyBuilder#trustedProxies trusted proxy} is, and the proxy makes a new one for the others.
         */
        public Builder trustRequestId(boolean value) {
            trustRequestId = once("trustRequestId", trustRequestId, value);
            return this;
        }

        /** Security headers on responses. */
        public Builder securityHeaders(SecurityHeaders value) {
            securityHeaders = once("securityHeaders", securityHeaders, value);
            return this;
        }

        /** A rate limit; over it, 429. */
        public Builder rateLimit(RateLimit value) {
            rateLimit = once("rateLimit", rateLimit, value);
            return this;
        }

        /**
         * Limits failed authentications per client address, against credential guessing: once a client's
         * failures exhaust the bucket, its requests get 429 before any credential is checked. The limit's key is
         * always the client's address.
         */
        public Builder authFailureLimit(RateLimit value) {
            authFailureLimit = once("authFailureLimit", authFailureLimit, Objects.requireNonNull(value, "authFailureLimit").byClient());
            return this;
        }

        /**
         * The protocols a request may upgrade to (a 101 turns the connection into a tunnel to the backend);
         * {@code websocket} unless set, none with an empty list. An Upgrade naming anything else is not forwarded
         * (the request goes on as a plain one). {@code h2c} is never allowed: a tunnel would carry requests past
         * routing and policies.
         */
        public Builder upgrades(String... protocols) {
            java.util.Set<String> set = new java.util.LinkedHashSet<>();
            for (String p : protocols) {
                String lower = Objects.requireNonNull(p, "protocol").trim().toLowerCase(java.util.Locale.ROOT);
                if (lower.isEmpty() || !lower.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ',' && c != '/')) {
                    throw new IllegalArgumentException("upgrades: '" + p + "' (expected: a protocol name such as websocket)");
                }
                if (lower.equals("h2c") || lower.equals("h2")) {
                    throw new IllegalArgumentException("upgrades: '" + p + "' is never tunnelled (HTTP/2 is spoken by "
                            + "the proxy itself, or not at all)");
                }
                set.add(lower);
            }
            upgrades = once("upgrades", upgrades, java.util.Set.copyOf(set));
            return this;
        }

        /** Authentication; refused requests get 401 or 403. */
        public Builder authentication(Authentication value) {
            authentication = once("authentication", authentication, value);
            return this;
        }

        /** Retries on another backend. */
        public Builder retries(Retries value) {
            retries = once("retries", retries, value);
            return this;
        }

        /** Concurrency caps per backend, with a queue. */
        public Builder circuitBreaker(CircuitBreaker value) {
            circuitBreaker = once("circuitBreaker", circuitBreaker, value);
            return this;
        }

        /** gzip for compressible responses. */
        public Builder compression(Compression value) {
            compression = once("compression", compression, value);
            return this;
        }

        Policies build() {
            if (sticky != null && hashKey != null) {
                throw new IllegalStateException("sticky and hashBy: both set (expected: one kind of affinity)");
            }
            return new Policies(this);
        }

        private static <T> T once(String option, T current, T value) {
            Objects.requireNonNull(value, option);
            if (current != null) {
                throw new IllegalStateException(option + ": already set");
            }
            return value;
        }
    }
}
