package io.jlb.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * HTTP Basic authentication (RFC 7617) against users with password hashes, never plain passwords:
 * <ul>
 *   <li>{@code pbkdf2-sha256$ITERATIONS$SALT$HASH} (base64 salt and hash): made by {@link #hash(char[])}; slow on
 *   purpose, so it is computed on a worker thread, never on the event loop, and a verified credential is
 *   remembered and not hashed again;
 *   <li>{@code {SSHA256}BASE64} (SHA-256 of password then salt, followed by the salt);
 *   <li>{@code {SHA256}BASE64} (unsalted: only for long random secrets),
 *   {@code printf %s "$PASSWORD" | openssl dgst -sha256 -binary | base64}.
 * </ul>
 * Comparisons take constant time; an unknown user costs the same hashing as a known one. The user's name can be
 * forwarded to the backend, and the Authorization header removed.
 */
public final class BasicAuthentication implements Authentication {
    private static final int CACHE_LIMIT = 10_000;
    private static final Base64.Decoder B64 = Base64.getDecoder();

    private final String challenge;
    private final Map<String, String> users;
    private final String dummyHash;
    private final String forwardAs;
    private final boolean strip;
    private final Map<String, String> verified = new ConcurrentHashMap<>();

    private BasicAuthentication(Builder b) {
        this.challenge = "Basic realm=\"" + b.realm + "\", charset=\"UTF-8\"";
        this.users = Map.copyOf(b.users);
        this.dummyHash = b.users.values().iterator().next();
        this.forwardAs = b.forwardAs;
        this.strip = b.strip;
    }

    static Builder builder(String realm) {
        return new Builder(realm);
    }

    @Override
    public Result authenticate(RequestView request) {
        return decide(request.header("authorization"));
    }

    /** A first sight of credentials checked against a {@code pbkdf2-sha256} hash: slow on purpose, so off the loop. */
    @Override
    public Supplier<Result> offLoop(RequestView request) {
        String auth = request.header("authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Basic ", 0, 6) || verified.containsKey(auth)) {
            return null;
        }
        String user = userOf(auth.substring(6).trim());
        String hash = user == null ? null : users.get(user);
        return (hash != null ? hash : dummyHash).startsWith("pbkdf2-") ? () -> decide(auth) : null;
    }

    /** Decides on an Authorization value; safe on any thread. */
    private Result decide(String auth) {
        if (auth == null || !auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Result.unauthorized(challenge, "credentials are required");
        }
        String user = verified.get(auth);
        if (user == null) {
            user = check(auth.substring(6).trim());
            if (user == null) {
                return Result.unauthorized(challenge, "the user name or password is not valid");
            }
            if (verified.size() >= CACHE_LIMIT) {
                verified.clear();
            }
            verified.put(auth, user);
        }
        List<Map.Entry<String, String>> forward = forwardAs == null ? List.of() : List.of(Map.entry(forwardAs, user));
        return Result.allow(user, forward, strip ? List.of("authorization") : List.of());
    }

    @Override
    public List<String> assertedHeaders() {
        return forwardAs == null ? List.of() : List.of(forwardAs);
    }

    /** The user name of Basic credentials, or null when they are not {@code base64(user:password)}. */
    private static String userOf(String base64) {
        String decoded = decode(base64);
        int colon = decoded == null ? -1 : decoded.indexOf(':');
        return colon < 0 ? null : decoded.substring(0, colon);
    }

    private static String decode(String base64) {
        try {
            return new String(B64.decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The user whose credentials these are, or null. */
    private String check(String base64) {
        String decoded = decode(base64);
        int colon = decoded == null ? -1 : decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String user = decoded.substring(0, colon);
        String hash = users.get(user);
        boolean ok = matches(decoded.substring(colon + 1), hash != null ? hash : dummyHash);
        return ok && hash != null ? user : null;
    }

    static boolean matches(String password, String hash) {
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        if (hash.startsWith("{SHA256}")) {
            return MessageDigest.isEqual(ApiKeyAuthentication.sha256().digest(pw), B64.decode(hash.substring(8)));
        }
        if (hash.startsWith("{SSHA256}")) {
            byte[] stored = B64.decode(hash.substring(9));
            byte[] salt = java.util.Arrays.copyOfRange(stored, 32, stored.length);
            MessageDigest md = ApiKeyAuthentication.sha256();
            md.update(pw);
            md.update(salt);
            return MessageDigest.isEqual(md.digest(), java.util.Arrays.copyOf(stored, 32));
        }
        String[] f = hash.split("\\$");
        byte[] expected = B64.decode(f[3]);
        return MessageDigest.isEqual(pbkdf2(password.toCharArray(), B64.decode(f[2]), Integer.parseInt(f[1]),
                expected.length), expected);
    }

    private static byte[] pbkdf2(char[] password, byte[] salt, int iterations, int bytes) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password, salt, iterations, bytes * 8)).getEncoded();
        } catch (java.security.NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
        }
    }

    /** A {@code pbkdf2-sha256} hash of {@code password} with a random salt and 210,000 iterations. */
    public static String hash(char[] password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        int iterations = 210_000;
        Base64.Encoder e = Base64.getEncoder();
        return "pbkdf2-sha256$" + iterations + "$" + e.encodeToString(salt) + "$"
                + e.encodeToString(pbkdf2(password, salt, iterations, 32));
    }

    static void checkHash(String user, String hash) {
        Objects.requireNonNull(hash, "hash");
        try {
            if (hash.startsWith("{SHA256}")) {
                if (B64.decode(hash.substring(8)).length == 32) {
                    return;
                }
            } else if (hash.startsWith("{SSHA256}")) {
                if (B64.decode(hash.substring(9)).length > 32) {
                    return;
                }
            } else {
                String[] f = hash.split("\\$");
                if (f.length == 4 && f[0].equals("pbkdf2-sha256") && Integer.parseInt(f[1]) >= 1000
                        && B64.decode(f[2]).length >= 8 && B64.decode(f[3]).length >= 16) {
                    return;
                }
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException("password hash of '" + user + "': not one of pbkdf2-sha256$ITERATIONS$SALT$HASH"
                + " (at least 1000 iterations), {SSHA256}BASE64, {SHA256}BASE64");
    }

    /** Configures Basic authentication. */
    public static final class Builder {
        private final String realm;
        private final Map<String, String> users = new LinkedHashMap<>();
        private String forwardAs;
        private boolean strip;

        private Builder(String realm) {
            Objects.requireNonNull(realm, "realm");
            if (realm.isEmpty() || realm.chars().anyMatch(c -> c < 0x20 || c == '"' || c == '\\' || c == 0x7f)) {
                throw new IllegalArgumentException("realm: '" + realm + "' (expected: printable, no quotes)");
            }
            this.realm = realm;
        }

        /** A user and the hash of their password. */
        public Builder user(String name, String passwordHash) {
            Objects.requireNonNull(name, "user");
            if (name.isEmpty() || name.indexOf(':') >= 0 || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException("user name: '" + name + "' (expected: not empty, no ':', no control characters)");
            }
            checkHash(name, passwordHash);
            if (users.put(name, passwordHash) != null) {
                throw new IllegalArgumentException("user '" + name + "' given twice");
            }
            return this;
        }

        /** Sends the user's name to the backend in this header. */
        public Builder forwardUserAs(String headerName) {
            forwardAs = HeaderRules.checkName(headerName);
            return this;
        }

        /** Removes the Authorization header before forwarding. */
        public Builder stripAuthorization(boolean value) {
            strip = value;
            return this;
        }

        public BasicAuthentication build() {
            if (users.isEmpty()) {
                throw new IllegalStateException("basic authentication: no user given");
            }
            return new BasicAuthentication(this);
        }
    }
}
