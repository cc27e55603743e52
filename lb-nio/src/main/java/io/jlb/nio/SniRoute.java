package io.jlb.nio;

import java.util.Locale;
import java.util.Objects;

/**
 * Sends TLS connections whose ClientHello names {@code pattern} to {@code pool}: an exact host
 * ({@code api.example.com}) or a wildcard for one or more labels ({@code *.example.com}, which does not match
 * {@code example.com} itself). Matching ignores case.
 *
 * @param pattern the host name or {@code *.}suffix
 * @param pool the pool to use
 */
public record SniRoute(String pattern, String pool) {
    /** Validates and lower-cases the pattern. */
    public SniRoute {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(pool, "pool");
        pattern = pattern.trim().toLowerCase(Locale.ROOT);
        if (pattern.isEmpty() || pattern.indexOf('*') > 0 || (pattern.startsWith("*") && !pattern.startsWith("*."))
                || pattern.equals("*.")) {
            throw new IllegalArgumentException("sni pattern: '" + pattern + "' (expected: host or *.domain)");
        }
    }

    /** Whether {@code serverName} (lower-case) matches. */
    public boolean matches(String serverName) {
        if (pattern.startsWith("*.")) {
            String suffix = pattern.substring(1);
            return serverName.length() > suffix.length() && serverName.endsWith(suffix);
        }
        return pattern.equals(serverName);
    }
}
