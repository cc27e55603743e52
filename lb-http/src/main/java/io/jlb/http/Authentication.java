package io.jlb.http;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Checks each request of a route before it is forwarded or answered: the built-in {@link ApiKeyAuthentication API
 * keys}, {@link BasicAuthentication HTTP Basic} and {@link JwtAuthentication JWT bearer tokens}, or an
 * implementation of your own. Runs on the event loop: it must not block, and a check too slow for the loop (a
 * password hash, a call out) is handed to a worker thread through {@link #offLoop}. A refusal is answered 401 (with its
 * {@code WWW-Authenticate} challenge) or 403; an acceptance may forward headers to the backend (claims, the caller's
 * name) and remove others (the credentials).
 */
@FunctionalInterface
public interface Authentication {
    /** Decides on {@code request}. */
    Result authenticate(RequestView request);

    /**
     * The check of {@code request} as work for a worker thread, when it is too slow for the event loop; null (the
     * default) when {@link #authenticate} is quick for it. Runs on the event loop; the work it returns must hold
     * what it needs from the request, as the view is not valid off the loop. The request waits meanwhile, and
     * other connections are served.
     */
    default Supplier<Result> offLoop(RequestView request) {
        return null;
    }

    /**
     * The names of the header fields this authentication asserts to backends (the user, claims). The proxy removes
     * fields of these names from every request on the listener, whoever sent them and whatever route they take,
     * before it adds its own: a client can never supply them. Fields an accepted {@link Result} forwards are removed
     * from that request too.
     */
    default List<String> assertedHeaders() {
        return List.of();
    }

    /** HTTP Basic against a set of users and password hashes. */
    static BasicAuthentication.Builder basic(String realm) {
        return BasicAuthentication.builder(realm);
    }

    /** API keys in a header (or a query parameter). */
    static ApiKeyAuthentication.Builder apiKeys() {
        return ApiKeyAuthentication.builder();
    }

    /** JWT bearer tokens (HS256, RS256, ES256). */
    static JwtAuthentication.Builder jwt() {
        return JwtAuthentication.builder();
    }

    /**
     * What an {@link Authentication} decided.
     *
     * @param status 0 to let the request through, else 401 or 403
     * @param challenge the {@code WWW-Authenticate} value of a refusal, or null
     * @param reason why, for the response body and logs (never the credentials)
     * @param forward header fields to send to the backend with an accepted request
     * @param remove header names to remove from an accepted request (lower-case)
     * @param identity who an accepted request is from (a user, a key's holder, a token's subject), for rate limits
     *     {@link RateLimit#byIdentity() by identity} and the access log; null when unknown
     */
    record Result(int status, String challenge, String reason, List<Map.Entry<String, String>> forward,
            List<String> remove, String identity) {
        /**
         * Checks the values: a challenge and forwarded values are written into header fields, so they may not hold
         * control characters (a CR or LF would split the message).
         */
        public Result {
            if (status != 0 && status != 401 && status != 403) {
                throw new IllegalArgumentException("status: " + status + " (expected: 0, 401 or 403)");
            }
            forward = List.copyOf(forward);
            for (Map.Entry<String, String> f : forward) {
                HeaderRules.checkName(f.getKey());
                checkValue("forwarded " + f.getKey(), f.getValue());
            }
            remove = remove.stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)).toList();
            Objects.requireNonNull(reason, "reason");
            if (challenge != null) {
                checkValue("challenge", challenge);
            }
        }

        /** A result without an identity. */
        public Result(int status, String challenge, String reason, List<Map.Entry<String, String>> forward,
                List<String> remove) {
            this(status, challenge, reason, forward, remove, null);
        }

        private static void checkValue(String what, String value) {
            Objects.requireNonNull(value, what);
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7f) {
                    throw new IllegalArgumentException(what + ": control character at " + i);
                }
            }
        }

        private static final Result ALLOWED = new Result(0, null, "", List.of(), List.of());

        /** Let the request through unchanged. */
        public static Result allow() {
            return ALLOWED;
        }

        /** Let the request through, adding {@code forward} and removing {@code remove}. */
        public static Result allow(List<Map.Entry<String, String>> forward, List<String> remove) {
            return new Result(0, null, "", forward, remove);
        }

        /** Let the request of {@code identity} through, adding {@code forward} and removing {@code remove}. */
        public static Result allow(String identity, List<Map.Entry<String, String>> forward, List<String> remove) {
            return new Result(0, null, "", forward, remove, identity);
        }

        /** 401 with this challenge. */
        public static Result unauthorized(String challenge, String reason) {
            return new Result(401, challenge, reason, List.of(), List.of());
        }

        /** 403. */
        public static Result forbidden(String challenge, String reason) {
            return new Result(403, challenge, reason, List.of(), List.of());
        }

        /** Whether the request may go on. */
        public boolean allowed() {
            return status == 0;
        }
    }
}
