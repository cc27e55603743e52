package io.jlb.http;

import io.jlb.http.internal.Json;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * JWT bearer tokens (RFC 7519) in {@code Authorization: Bearer}, verified with the JDK alone: HS256 (a shared
 * secret), RS256 (RSA) and ES256 (P-256). The algorithm is the key's, not the token's to choose: a token whose
 * {@code alg} does not fit the key it names is refused, so {@code none} and the HS256-signed-with-the-RSA-public-key
 * trick fail. Checks {@code exp} (required unless told otherwise) and {@code nbf} with a clock skew, {@code iss},
 * {@code aud}, and required claims (403 when a valid token lacks them). Chosen claims can be forwarded as headers.
 * Keys come from code, PEM files ({@code PUBLIC KEY}) or a JWKS file; several keys are told apart by {@code kid}.
 * Verified tokens are remembered (up to 10,000) so a signature is checked once per token, not per request.
 */
public final class JwtAuthentication implements Authentication {
    private static final Base64.Decoder B64URL = Base64.getUrlDecoder();
    private static final int CACHE_LIMIT = 10_000;

    /** A verification key with the one algorithm it verifies. */
    private record VerificationKey(String kid, String alg, Key key) {}

    /** A token whose signature checked out: its claims. */
    private record Verified(Map<String, Object> claims) {}

    private final List<VerificationKey> keys;
    private final String issuer;
    private final String audience;
    private final Duration skew;
    private final boolean requireExpiry;
    private final Map<String, String> requiredClaims;
    private final Map<String, String> forwardedClaims;
    private final boolean strip;
    private final Clock clock;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    private JwtAuthentication(Builder b) {
        this.keys = List.copyOf(b.keys);
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.skew = b.skew;
        this.requireExpiry = b.requireExpiry;
        this.requiredClaims = Map.copyOf(b.requiredClaims);
        this.forwardedClaims = new LinkedHashMap<>(b.forwardedClaims);
        this.strip = b.strip;
        this.clock = b.clock;
    }

    static Builder builder() {
        return new Builder();
    }

    @Override
    public Result authenticate(RequestView request) {
        String auth = request.header("authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Result.unauthorized("Bearer realm=\"jlb\"", "a bearer token is required");
        }
        String token = auth.substring(7).trim();
        Verified cached = verified.get(token);
        if (cached == null) {
            try {
                cached = new Verified(verify(token));
            } catch (InvalidToken e) {
                return invalid(e.getMessage());
            }
            if (verified.size() >= CACHE_LIMIT) {
                verified.clear();
            }
            verified.put(token, cached);
        }
        Verified v = cached;
        String problem = checkClaims(v.claims);
        if (problem != null) {
            return invalid(problem);
        }
        for (Map.Entry<String, String> required : requiredClaims.entrySet()) {
            if (!hasValue(v.claims.get(required.getKey()), required.getValue())) {
                return Result.forbidden("Bearer realm=\"jlb\", error=\"insufficient_scope\"", "the token does not grant "
                        + required.getKey() + "=" + required.getValue());
            }
        }
        List<Map.Entry<String, String>> forward = new ArrayList<>();
        forwardedClaims.forEach((claim, header) -> {
            Object value = v.claims.get(claim);
            if (value != null) {
                forward.add(Map.entry(header, text(value)));
            }
        });
        Object subject = v.claims.get("sub");
        return Result.allow(subject == null ? null : text(subject), forward, strip ? List.of("authorization") : List.of());
    }

    @Override
    public List<String> assertedHeaders() {
        return List.copyOf(forwardedClaims.values());
    }

    /** A refusal; {@code why} is one of this class's own fixed phrases, never text taken from the token. */
    private static Result invalid(String why) {
        return Result.unauthorized("Bearer realm=\"jlb\", error=\"invalid_token\", error_description=\"" + why + "\"", why);
    }

    /** The token's claims once its form and signature check out. */
    private Map<String, Object> verify(String token) throws InvalidToken {
        int dot1 = token.indexOf('.');
        int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
        if (dot1 <= 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) {
            throw new InvalidToken("not a JWS compact token");
        }
        Map<String, Object> header = json(token.substring(0, dot1), "header");
        Object alg = header.get("alg");
        if (!(alg instanceof String algorithm) || algorithm.equalsIgnoreCase("none")) {
            throw new InvalidToken("unsigned tokens are not accepted");
        }
        Object kid = header.get("kid");
        VerificationKey key = keyFor(kid instanceof String s ? s : null, algorithm);
        byte[] signed = token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII);
        byte[] signature;
        try {
            signature = B64URL.decode(token.substring(dot2 + 1));
        } catch (IllegalArgumentException e) {
            throw new InvalidToken("the signature is not base64url");
        }
        if (!signatureValid(key, signed, signature)) {
            throw new InvalidToken("bad signature");
        }
        return json(token.substring(dot1 + 1, dot2), "payload");
    }

    private VerificationKey keyFor(String kid, String alg) throws InvalidToken {
        for (VerificationKey k : keys) {
            if ((kid == null ? keys.size() == 1 || k.kid == null : kid.equals(k.kid))) {
                if (!k.alg.equals(alg)) {
                    throw new InvalidToken("the token's algorithm does not fit its key");
                }
                return k;
            }
        }
        throw new InvalidToken(kid == null ? "the token names no key (kid) and several are configured"
                : "the token names an unknown key");
    }

    private static boolean signatureValid(VerificationKey k, byte[] signed, byte[] signature) {
        try {
            switch (k.alg) {
                case "HS256" -> {
                    Mac mac = Mac.getInstance("HmacSHA256");
                    mac.init(k.key);
                    return MessageDigest.isEqual(mac.doFinal(signed), signature);
                }
                case "RS256" -> {
                    Signature s = Signature.getInstance("SHA256withRSA");
                    s.initVerify((PublicKey) k.key);
                    s.update(signed);
                    return s.verify(signature);
                }
                default -> { // ES256: JWS carries R || S, 64 bytes
                    if (signature.length != 64) {
                        return false;
                    }
                    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
                    s.initVerify((PublicKey) k.key);
                    s.update(signed);
                    return s.verify(signature);
                }
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private String checkClaims(Map<String, Object> claims) {
        long now = clock.instant().getEpochSecond();
        long tolerance = skew.toSeconds();
        Object exp = claims.get("exp");
        if (exp == null) {
            if (requireExpiry) {
                return "the token has no expiry (exp)";
            }
        } else if (!(exp instanceof Number n) || now - tolerance >= n.longValue()) {
            return "the token has expired";
        }
        Object nbf = claims.get("nbf");
        if (nbf != null && (!(nbf instanceof Number n) || now + tolerance < n.longValue())) {
            return "the token is not valid yet";
        }
        if (issuer != null && !issuer.equals(claims.get("iss"))) {
            return "the token's issuer is not accepted";
        }
        if (audience != null && !hasValue(claims.get("aud"), audience)) {
            return "the token is not meant for this audience";
        }
        return null;
    }

    /** Whether a claim equals {@code want}, contains it (a list), or lists it (a space-separated scope). */
    private static boolean hasValue(Object claim, String want) {
        if (claim instanceof List<?> list) {
            return list.stream().anyMatch(v -> want.equals(String.valueOf(v)));
        }
        if (claim instanceof String s) {
            return s.equals(want) || List.of(s.split(" ")).contains(want);
        }
        return claim != null && String.valueOf(claim).equals(want);
    }

    private static String text(Object value) {
        String s = value instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
                : String.valueOf(value);
        StringBuilder clean = new StringBuilder(s.length());
        for (int i = 0; i < s.length() && clean.length() < 1024; i++) {
            char c = s.charAt(i);
            clean.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        return clean.toString();
    }

    private static Map<String, Object> json(String part, String what) throws InvalidToken {
        try {
            return Json.readObject(new String(B64URL.decode(part), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new InvalidToken("the " + what + " is not base64url JSON");
        }
    }

    private static final class InvalidToken extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidToken(String message) {
            super(message, null, false, false);
        }
    }

    /** Configures JWT checking. */
    public static final class Builder {
        private final List<VerificationKey> keys = new ArrayList<>();
        private String issuer;
        private String audience;
        private Duration skew = Duration.ofSeconds(60);
        private boolean requireExpiry = true;
        private final Map<String, String> requiredClaims = new LinkedHashMap<>();
        private final Map<String, String> forwardedClaims = new LinkedHashMap<>();
        private boolean strip;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** An HS256 secret (at least 32 bytes), optionally named by {@code kid}. */
        public Builder hmacSecret(String kid, byte[] secret) {
            if (secret == null || secret.length < 32) {
                throw new IllegalArgumentException("HS256 secret: at least 32 bytes");
            }
            return add(kid, "HS256", new SecretKeySpec(secret.clone(), "HmacSHA256"));
        }

        /** An RSA (RS256, at least 2048 bits) or P-256 EC (ES256) public key, optionally named by {@code kid}. */
        public Builder publicKey(String kid, PublicKey key) {
            Objects.requireNonNull(key, "key");
            if (key instanceof RSAPublicKey rsa) {
                if (rsa.getModulus().bitLength() < 2048) {
                    throw new IllegalArgumentException("RSA key " + kid + ": at least 2048 bits");
                }
                return add(kid, "RS256", key);
            }
            if (key instanceof ECPublicKey ec) {
                if (ec.getParams().getCurve().getField().getFieldSize() != 256) {
                    throw new IllegalArgumentException("EC key " + kid + ": only P-256 (ES256) is supported");
                }
                return add(kid, "ES256", key);
            }
            throw new IllegalArgumentException("key " + kid + ": " + key.getAlgorithm() + " (expected: RSA or EC)");
        }

        /** A public key from a PEM file ({@code -----BEGIN PUBLIC KEY-----}). */
        public Builder publicKeyPem(String kid, Path file) throws IOException {
            return publicKey(kid, readPem(file));
        }

        /** Every RSA, P-256 and {@code oct} key of a JWKS file ({@code {"keys": [...]}}). */
        public Builder jwks(Path file) throws IOException {
            Map<String, Object> doc;
            try {
                doc = Json.readObject(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": not JSON: " + e.getMessage(), e);
            }
            if (!(doc.get("keys") instanceof List<?> list) || list.isEmpty()) {
                throw new IOException(file + ": no \"keys\" list");
            }
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> jwk)) {
                    throw new IOException(file + ": a key is not an object");
                }
                try {
                    addJwk(jwk);
                } catch (GeneralSecurityException | IllegalArgumentException e) {
                    throw new IOException(file + ": key " + jwk.get("kid") + ": " + e.getMessage(), e);
                }
            }
            return this;
        }

        private void addJwk(Map<?, ?> jwk) throws GeneralSecurityException {
            String kid = jwk.get("kid") instanceof String s ? s : null;
            if ("sig".equals(jwk.get("use")) || jwk.get("use") == null) {
                switch (String.valueOf(jwk.get("kty"))) {
                    case "RSA" -> publicKey(kid, KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                            big(jwk, "n"), big(jwk, "e"))));
                    case "EC" -> {
                        if (!"P-256".equals(jwk.get("crv"))) {
                            throw new IllegalArgumentException("curve " + jwk.get("crv") + " (expected: P-256)");
                        }
                        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
                        p.init(new ECGenParameterSpec("secp256r1"));
                        ECParameterSpec spec = p.getParameterSpec(ECParameterSpec.class);
                        publicKey(kid, KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(
                                new ECPoint(big(jwk, "x"), big(jwk, "y")), spec)));
                    }
                    case "oct" -> hmacSecret(kid, B64URL.decode(String.valueOf(jwk.get("k"))));
                    default -> throw new IllegalArgumentException("key type " + jwk.get("kty") + " (expected: RSA, EC, oct)");
                }
            }
        }

        private static BigInteger big(Map<?, ?> jwk, String field) {
            Object v = jwk.get(field);
            if (!(v instanceof String s)) {
                throw new IllegalArgumentException("missing \"" + field + "\"");
            }
            return new BigInteger(1, B64URL.decode(s));
        }

        static PublicKey readPem(Path file) throws IOException {
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            int begin = text.indexOf("-----BEGIN PUBLIC KEY-----");
            int end = text.indexOf("-----END PUBLIC KEY-----");
            if (begin < 0 || end < begin) {
                throw new IOException(file + ": no PUBLIC KEY block");
            }
            byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + 26, end));
            for (String algorithm : new String[] {"RSA", "EC"}) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
                } catch (GeneralSecurityException e) {
                    // try the next
                }
            }
            throw new IOException(file + ": neither an RSA nor an EC public key");
        }

        private Builder add(String kid, String alg, Key key) {
            for (VerificationKey k : keys) {
                if (Objects.equals(k.kid, kid)) {
                    throw new IllegalArgumentException("key id " + kid + " given twice");
                }
            }
            keys.add(new VerificationKey(kid, alg, key));
            return this;
        }

        /** Requires {@code iss} to equal {@code value}. */
        public Builder issuer(String value) {
            issuer = Objects.requireNonNull(value, "issuer");
            return this;
        }

        /** Requires {@code aud} to be or contain {@code value}. */
        public Builder audience(String value) {
            audience = Objects.requireNonNull(value, "audience");
            return this;
        }

        /** The clock skew tolerated on {@code exp} and {@code nbf}; 60 s unless set. */
        public Builder clockSkew(Duration value) {
            if (value.isNegative()) {
                throw new IllegalArgumentException("clockSkew: " + value + " (expected: >= 0)");
            }
            skew = value;
            return this;
        }

        /** Whether a token without {@code exp} is refused; true unless set. */
        public Builder requireExpiry(boolean value) {
            requireExpiry = value;
            return this;
        }

        /** Answers 403 unless claim {@code name} is, contains or lists {@code value} (e.g. scope). */
        public Builder requireClaim(String name, String value) {
            requiredClaims.put(Objects.requireNonNull(name, "claim"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Sends claim {@code claim} to the backend in header {@code header}. */
        public Builder forwardClaim(String claim, String header) {
            forwardedClaims.put(Objects.requireNonNull(claim, "claim"), HeaderRules.checkName(header));
            return this;
        }

        /** Removes the Authorization header before forwarding. */
        public Builder stripAuthorization(boolean value) {
            strip = value;
            return this;
        }

        /** The clock for {@code exp} and {@code nbf} (tests). */
        public Builder clock(Clock value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public JwtAuthentication build() {
            if (keys.isEmpty()) {
                throw new IllegalStateException("JWT: no verification key given");
            }
            return new JwtAuthentication(this);
        }
    }
}
