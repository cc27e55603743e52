package io.jlb.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * API keys presented in a header ({@code X-API-Key} unless set) or a query parameter. Keys are kept as SHA-256
 * digests and the presented one is compared with every digest in constant time, so timing tells nothing about how
 * much of a key was right. The caller's name can be forwarded to the backend; the key header can be removed.
 */
public final class ApiKeyAuthentication implements Authentication {
    private final String header;
    private final String queryParameter;
    private final byte[][] digests;
    private final String[] names;
    private final String forwardAs;
    private final boolean strip;
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(ApiKeyAuthentication::sha256);

    private ApiKeyAuthentication(Builder b) {
        this.header = b.header;
        this.queryParameter = b.queryParameter;
        this.digests = b.keys.keySet().toArray(new byte[0][]);
        this.names = b.keys.values().toArray(new String[0]);
        this.forwardAs = b.forwardAs;
        this.strip = b.strip;
    }

    static Builder builder() {
        return new Builder();
    }

    @Override
    public Result authenticate(RequestView request) {
        String presented = header != null ? request.header(header) : null;
        if (presented == null && queryParameter != null) {
            presented = request.queryParameter(queryParameter);
        }
        if (presented == null || presented.isEmpty()) {
            return Result.unauthorized("ApiKey realm=\"jlb\"", "an API key is required");
        }
        byte[] digest = SHA256.get().digest(presented.getBytes(StandardCharsets.UTF_8));
        int match = -1;
        for (int i = 0; i < digests.length; i++) { // every key compared, match or not
            if (MessageDigest.isEqual(digest, digests[i])) {
                match = i;
            }
        }
        if (match < 0) {
            return Result.unauthorized("ApiKey realm=\"jlb\", error=\"invalid_key\"", "the API key is not valid");
        }
        List<Map.Entry<String, String>> forward = forwardAs == null ? List.of() : List.of(Map.entry(forwardAs, names[match]));
        List<String> remove = strip && header != null ? List.of(header) : List.of();
        return Result.allow(names[match], forward, remove);
    }

    @Override
    public List<String> assertedHeaders() {
        return forwardAs == null ? List.of() : List.of(forwardAs);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Configures API-key checking. */
    public static final class Builder {
        private String header = "X-API-Key";
        private String queryParameter;
        private final Map<byte[], String> keys = new LinkedHashMap<>();
        private final List<String> seen = new ArrayList<>();
        private String forwardAs;
        private boolean strip;

        private Builder() {}

        /** The header carrying the key ({@code X-API-Key} unless set); null to accept only the query parameter. */
        public Builder header(String name) {
            header = name == null ? null : HeaderRules.checkName(name);
            return this;
        }

        /** Also accepts the key in this query parameter (less safe: URLs get logged). */
        public Builder queryParameter(String name) {
            queryParameter = Objects.requireNonNull(name, "queryParameter");
            return this;
        }

        /** A valid key, and the name of its holder (forwarded with {@link #forwardNameAs}). */
        public Builder key(String holder, String key) {
            Objects.requireNonNull(holder, "holder");
            if (holder.isEmpty() || holder.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException("API key holder: '" + holder + "' (expected: not empty, no control characters)");
            }
            if (key == null || key.length() < 8) {
                throw new IllegalArgumentException("API key of '" + holder + "': at least 8 characters");
            }
            byte[] digest = sha256().digest(key.getBytes(StandardCharsets.UTF_8));
            String hex = java.util.HexFormat.of().formatHex(digest);
            if (seen.contains(hex)) {
                throw new IllegalArgumentException("API key of '" + holder + "': the same key is given twice");
            }
            seen.add(hex);
            keys.put(digest, holder);
            return this;
        }

        /** Sends the holder's name to the backend in this header. */
        public Builder forwardNameAs(String headerName) {
            forwardAs = HeaderRules.checkName(headerName);
            return this;
        }

        /** Removes the key header before forwarding. */
        public Builder stripKey(boolean value) {
            strip = value;
            return this;
        }

        public ApiKeyAuthentication build() {
            if (keys.isEmpty()) {
                throw new IllegalStateException("API keys: none given");
            }
            if (header == null && queryParameter == null) {
                throw new IllegalStateException("API keys: neither a header nor a query parameter to read them from");
            }
            return new ApiKeyAuthentication(this);
        }
    }

    @Override
    public String toString() {
        return "api-keys(" + (header != null ? header : "") + (queryParameter != null ? " ?" + queryParameter : "")
                + ", " + digests.length + " keys)".toLowerCase(Locale.ROOT);
    }
}
