package io.jlb.http;

import java.util.Objects;

/**
 * How a listener normalizes request paths before it routes them, authenticates them and forwards them: the route
 * sees exactly the path the backend receives. Always: percent-encoded unreserved characters are decoded
 * ({@code /%61dmin} is {@code /admin}), other percent-encodings are written in upper case, dot segments are
 * removed (RFC 3986 §5.2.4: {@code /api/../admin} is {@code /admin}), a malformed percent-encoding or an encoded NUL
 * is refused with 400. Configurable: merging runs of slashes ({@code //admin} is {@code /admin}; on by default),
 * and what becomes of an encoded slash ({@code %2F}) and of a backslash (raw or {@code %5C}), both refused by
 * default, since backends disagree on whether they separate segments. Immutable.
 *
 * <pre>{@code
 * HttpProxy.builder().pathNormalization(PathNormalization.defaults().withEncodedSlash(PathNormalization.Action.KEEP))
 * }</pre>
 *
 * @param mergeSlashes whether runs of {@code /} become one
 * @param encodedSlash what becomes of {@code %2F}
 * @param backslash what becomes of {@code \} and {@code %5C}
 */
public record PathNormalization(boolean mergeSlashes, Action encodedSlash, Action backslash) {
    /** What to do with a character backends read in different ways. */
    public enum Action {
        /** Answer 400. */
        REJECT,
        /** Keep it percent-encoded ({@code %2F}, {@code %5C}): part of a segment, not a separator. */
        KEEP,
        /** Make it a {@code /}, then normalize. */
        DECODE
    }

    /** Checks the values. */
    public PathNormalization {
        Objects.requireNonNull(encodedSlash, "encodedSlash");
        Objects.requireNonNull(backslash, "backslash");
    }

    /** Slashes merged, encoded slashes and backslashes refused. */
    public static PathNormalization defaults() {
        return new PathNormalization(true, Action.REJECT, Action.REJECT);
    }

    /** A copy that merges runs of slashes or not. */
    public PathNormalization withMergeSlashes(boolean value) {
        return new PathNormalization(value, encodedSlash, backslash);
    }

    /** A copy with this treatment of {@code %2F}. */
    public PathNormalization withEncodedSlash(Action value) {
        return new PathNormalization(mergeSlashes, value, backslash);
    }

    /** A copy with this treatment of backslashes. */
    public PathNormalization withBackslash(Action value) {
        return new PathNormalization(mergeSlashes, encodedSlash, value);
    }
}
