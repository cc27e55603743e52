package io.jlb.http;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Cookie-based session affinity: the proxy sets a cookie naming the backend it chose, as an opaque token (an
 * HMAC-SHA256 of the backend's name, not its address), and sends later requests carrying it to that same backend
 * while the pool's picks may land there. When it is down, draining, ejected or gone — or a backup while a primary is
 * up — another is picked and the cookie reset. Tokens cannot be forged: without a secret they are keyed by a random
 * key of this process (cookies then last as long as the process); with a {@link #withSecret secret} shared by a
 * fleet, every instance reads the others' tokens. On an HTTPS listener the cookie is always {@code Secure}.
 * Immutable.
 *
 * @param name the cookie's name
 * @param path its Path attribute
 * @param maxAge its Max-Age, or null for a session cookie
 * @param httpOnly the HttpOnly attribute
 * @param secure the Secure attribute
 * @param sameSite the SameSite attribute ({@code Lax}, {@code Strict}, {@code None}) or null
 * @param secret the key of the tokens, shared by a fleet of balancers; "" for a random key of this process
 */
public record StickyCookie(String name, String path, Duration maxAge, boolean httpOnly, boolean secure, String sameSite,
        String secret) {
    /** Checks the values. */
    public StickyCookie {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(secret, "secret");
        if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
            throw new IllegalArgumentException("cookie name: '" + name + "' (expected: a token)");
        }
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c < 0x21 || c == ';' || c == 0x7f)) {
            throw new IllegalArgumentException("cookie path: '" + path + "'");
        }
        if (maxAge != null && maxAge.isNegative()) {
            throw new IllegalArgumentException("cookie max-age: " + maxAge + " (expected: >= 0)");
        }
        if (sameSite != null) {
            String s = sameSite.toLowerCase(Locale.ROOT);
            if (!s.equals("lax") && !s.equals("strict") && !s.equals("none")) {
                throw new IllegalArgumentException("cookie SameSite: '" + sameSite + "' (expected: Lax, Strict or None)");
            }
            sameSite = Character.toUpperCase(s.charAt(0)) + s.substring(1);
        }
    }

    /** A session cookie {@code name} on {@code /}, HttpOnly, SameSite=Lax. */
    public static StickyCookie named(String name) {
        return new StickyCookie(name, "/", null, true, false, "Lax", "");
    }

    /** A copy with this Path. */
    public StickyCookie withPath(String value) {
        return new StickyCookie(name, value, maxAge, httpOnly, secure, sameSite, secret);
    }

    /** A copy that lasts {@code value} (Max-Age). */
    public StickyCookie withMaxAge(Duration value) {
        return new StickyCookie(name, path, value, httpOnly, secure, sameSite, secret);
    }

    /** A copy with the Secure attribute on or off. */
    public StickyCookie withSecure(boolean value) {
        return new StickyCookie(name, path, maxAge, httpOnly, value, sameSite, secret);
    }

    /** A copy with the HttpOnly attribute on or off. */
    public StickyCookie withHttpOnly(boolean value) {
        return new StickyCookie(name, path, maxAge, value, secure, sameSite, secret);
    }

    /** A copy with this SameSite (null for none). */
    public StickyCookie withSameSite(String value) {
        return new StickyCookie(name, path, maxAge, httpOnly, secure, value, secret);
    }

    /** A copy mixing {@code value} into tokens. */
    public StickyCookie withSecret(String value) {
        return new StickyCookie(name, path, maxAge, httpOnly, secure, sameSite, value);
    }

    /** Describes the cookie; the secret is not shown. */
    @Override
    public String toString() {
        return "StickyCookie[name=" + name + ", path=" + path + ", maxAge=" + maxAge + ", httpOnly=" + httpOnly
                + ", secure=" + secure + ", sameSite=" + sameSite + ", secret=" + (secret.isEmpty() ? "random" : "set") + "]";
    }
}
