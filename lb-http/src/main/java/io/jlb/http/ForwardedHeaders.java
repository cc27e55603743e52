package io.jlb.http;

import java.util.Objects;

/**
 * Which headers the proxy adds to say who the client was and that a proxy stood between. By default all of them:
 * X-Forwarded-For (the client's address appended to any list already there), X-Forwarded-Proto and
 * X-Forwarded-Host (set, replacing what the client sent), Forwarded (RFC 7239, an element appended) and Via
 * (appended on requests and responses, as {@code 1.1 <pseudonym>}).
 *
 * @param xForwardedFor append the client address to X-Forwarded-For
 * @param xForwardedProto set X-Forwarded-Proto
 * @param xForwardedHost set X-Forwarded-Host
 * @param forwarded append an RFC 7239 Forwarded element
 * @param via append to Via, on requests and responses
 * @param viaPseudonym the name in Via
 */
public record ForwardedHeaders(boolean xForwardedFor, boolean xForwardedProto, boolean xForwardedHost,
        boolean forwarded, boolean via, String viaPseudonym) {
    /** Validates the pseudonym (a token). */
    public ForwardedHeaders {
        Objects.requireNonNull(viaPseudonym, "viaPseudonym");
        if (viaPseudonym.isEmpty() || !viaPseudonym.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ',')) {
            throw new IllegalArgumentException("viaPseudonym: '" + viaPseudonym + "' (expected: a token)");
        }
    }

    /** Every header on, Via as {@code 1.1 jlb}. */
    public static ForwardedHeaders defaults() {
        return new ForwardedHeaders(true, true, true, true, true, "jlb");
    }

    /** None of them: requests and responses are forwarded without proxy headers. */
    public static ForwardedHeaders none() {
        return new ForwardedHeaders(false, false, false, false, false, "jlb");
    }
}
