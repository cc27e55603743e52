package io.jlb.http;

import java.util.Objects;

/**
 * What a request is hashed on for affinity through a consistent-hashing selector ({@code ring-hash},
 * {@code maglev}, {@code ip-hash} and their bounded forms): a header, a cookie or a query parameter. Requests
 * without it are hashed on the client's address. Several balancer instances with the same pool agree on where each
 * key goes without sharing state.
 *
 * @param source where the value comes from
 * @param name the header, cookie or parameter name
 */
public record HashKey(Source source, String name) {
    /** Where the key is read. */
    public enum Source {
        /** A request header. */
        HEADER,
        /** A cookie. */
        COOKIE,
        /** A query parameter, as sent. */
        QUERY
    }

    /** Checks the values. */
    public HashKey {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("hash key name: empty");
        }
    }

    /** Hash on the value of header {@code name}. */
    public static HashKey header(String name) {
        return new HashKey(Source.HEADER, HeaderRules.checkName(name));
    }

    /** Hash on the value of cookie {@code name}. */
    public static HashKey cookie(String name) {
        return new HashKey(Source.COOKIE, name);
    }

    /** Hash on the value of query parameter {@code name}. */
    public static HashKey query(String name) {
        return new HashKey(Source.QUERY, name);
    }

    /** The key of {@code request}, or null when it has none. */
    String of(RequestView request) {
        return switch (source) {
            case HEADER -> request.header(name);
            case COOKIE -> request.cookie(name);
            case QUERY -> request.queryParameter(name);
        };
    }
}
