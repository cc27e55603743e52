package io.jlb.http;

import io.jlb.core.Member;
import io.jlb.core.Pool;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
    static final RoutePolicy NONE = new RoutePolicy(Policies.NONE, null);

    final Policies policies;
    final RateLimiter limiter;
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

    RoutePolicy(Policies p, RateLimiter limiter) {
        this.policies = p;
        this.limiter = limiter;
        this.requestIdName = p.requestIdHeader == null ? null : lower(p.requestIdHeader);
        this.requestDrops = names(p.requestHeaders == null ? List.of() : p.requestHeaders.removed());
        this.responseDrops = names(p.responseHeaders == null ? List.of() : p.responseHeaders.removed());
        this.securityFields = p.securityHeaders == null ? List.of() : p.securityHeaders.fields();
        this.securityNames = names(securityFields.stream().map(Map.Entry::getKey).toList());
        HeaderRules rsp = p.responseHeaders;
        this.responseUsesRequest = rsp != null && (rsp.uses("host") || rsp.uses("path") || rsp.uses("method"));
        this.active = p.sticky != null || p.hashKey != null || p.requestHeaders != null || p.responseHeaders != null
                || p.requestIdHeader != null || p.securityHeaders != null || p.rateLimit != null
                || p.authentication != null || p.retries != null || p.circuitBreaker != null || p.compression != null;
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

    /** The sticky cookie's token for a backend: a hash of its name (and the secret), not its address. */
    String token(Member m) {
        String name = m.backend().name();
        String t = backendToToken.get(name);
        if (t == null) {
            MessageDigest md = ApiKeyAuthentication.sha256();
            md.update(policies.sticky.secret().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(name.getBytes(StandardCharsets.UTF_8));
            t = HexFormat.of().formatHex(md.digest(), 0, 12);
            if (backendToToken.size() < 100_000) {
                backendToToken.put(name, t);
                tokenToBackend.put(t, name);
            }
        }
        return t;
    }

    /** The member of {@code pool} a sticky token names, if it is there and may be picked; else null. */
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
        return m != null && m.eligible() ? m : null;
    }
}
