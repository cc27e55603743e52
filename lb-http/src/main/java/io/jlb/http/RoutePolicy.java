package io.jlb.http;

import io.jlb.core.Member;
import io.jlb.core.Pool;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A route's policies made ready to run: the merged {@link Policies}, its rate limiter (shared by every route that
 * inherits the same limit), lower-case field names as bytes, sticky-cookie tokens. Thread-safe; shared by all loops.
 */
final class RoutePolicy {
    static final RoutePolicy NONE = new RoutePolicy(Policies.NONE, null, null);
    /** The key of sticky tokens when no secret is configured: random, so that no one can make a token. */
    private static final byte[] PROCESS_KEY = new SecureRandom().generateSeed(32);

    final Policies policies;
    final RateLimiter limiter;
    /** Counts failed authentications per client (null without the policy). */
    final RateLimiter authFailures;
    /** The protocols an Upgrade may switch to, lower-case. */
    final java.util.Set<String> upgrades;
    /** Whether anything at all is to be done: false skips every policy step. */
    final boolean active;
    final byte[] requestIdName;
    final byte[][] requestDrops;
    final byte[][] responseDrops;
    final List<Map.Entry<String, String>> securityFields;
    final byte[][] securityNames;
    /** Whether response rules need request data kept until the response. */
    final boolean responseUsesRequest;
    private final Map<String, String> tokenToBackend = new ConcurrentHashMap<>();
    private final Map<String, String> backendToToken = new ConcurrentHashMap<>();

    RoutePolicy(Policies p, RateLimiter limiter, RateLimiter authFailures) {
        this.policies = p;
        this.limiter = limiter;
        this.authFailures = authFailures;
        this.upgrades = p.upgradeProtocols();
        this.requestIdName = p.requestIdHeader == null ? null : lower(p.requestIdHeader);
        this.requestDrops = names(p.requestHeaders == null ? List.of() : p.requestHeaders.removed());
        this.responseDrops = names(p.responseHeaders == null ? List.of() : p.responseHeaders.removed());
        this.securityFields = p.securityHeaders == null ? List.of() : p.securityHeaders.fields();
        this.securityNames = names(securityFields.stream().map(Map.Entry::getKey).toList());
        HeaderRules rsp = p.responseHeaders;
        this.responseUsesRequest = rsp != null && (rsp.uses("host") || rsp.uses("path") || rsp.uses("method"));
        this.active = p.sticky != null || p.hashKey != null || p.requestHeaders != null || p.responseHeaders != null
                || p.requestIdHeader != null || p.securityHeaders != null || p.rateLimit != null
                || p.authentication != null || p.retries != null || p.circuitBreaker != null || p.compression != null
                || p.authFailureLimit != null;
    }

    private static byte[] lower(String name) {
        return name.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[][] names(List<String> names) {
        byte[][] out = new byte[names.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = lower(names.get(i));
        }
        return out;
    }

    /**
     * The sticky cookie's token for a backend: an HMAC-SHA256 of its name under the configured secret or, without
     * one, a key random to this process; never its address, and not something a client can make for a backend it
     * was not sent to.
     */
    String token(Member m) {
        String name = m.backend().name();
        String t = backendToToken.get(name);
        if (t == null) {
            String secret = policies.sticky.secret();
            byte[] key = secret.isEmpty() ? PROCESS_KEY : secret.getBytes(StandardCharsets.UTF_8);
            byte[] mac;
            try {
                javax.crypto.Mac hmac = javax.crypto.Mac.getInstance("HmacSHA256");
                hmac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
                mac = hmac.doFinal(name.getBytes(StandardCharsets.UTF_8));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
            }
            t = HexFormat.of().formatHex(mac, 0, 16);
            if (backendToToken.size() < 100_000) {
                backendToToken.put(name, t);
                tokenToBackend.put(t, name);
            }
        }
        return t;
    }

    /**
     * The member of {@code pool} a sticky token names, if it is there and the pool's picks may land on it now (a
     * backup only while no primary may be picked); else null.
     */
    Member stickyMember(Pool pool, String token) {
        if (token == null) {
            return null;
        }
        String name = tokenToBackend.get(token);
        if (name == null) {
            for (Member m : pool.members()) { // a token made by another instance, or before a restart
                if (token(m).equals(token)) {
                    name = m.backend().name();
                    break;
                }
            }
        }
        if (name == null) {
            return null;
        }
        Member m = pool.member(name).orElse(null);
        return m != null && m.pickable() ? m : null;
    }
}
