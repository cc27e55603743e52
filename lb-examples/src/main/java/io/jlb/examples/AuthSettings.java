package io.jlb.examples;

import io.jlb.http.ApiKeyAuthentication;
import io.jlb.http.Authentication;
import io.jlb.http.BasicAuthentication;
import io.jlb.http.JwtAuthentication;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code auth} policy from its settings: {@code type} {@code api-key} ({@code file}, {@code header},
 * {@code query}, {@code forward-as}, {@code strip}), {@code basic} ({@code file}, {@code realm}, {@code forward-as},
 * {@code strip}) or {@code jwt} ({@code jwks}, {@code key} ({@code [KID=]PEM}), {@code hmac-file}
 * ({@code [KID=]FILE}), {@code issuer}, {@code audience}, {@code forward} ({@code CLAIM:HEADER}), {@code require}
 * ({@code CLAIM:VALUE}), {@code clock-skew}, {@code require-expiry}, {@code strip}); {@code key}, {@code hmac-file},
 * {@code jwks}, {@code forward} and {@code require} may repeat.
 */
final class AuthSettings {
    private AuthSettings() {}

    static Authentication authentication(Settings s) {
        String type = s.required("type");
        return switch (type) {
            case "api-key" -> apiKeys(s.allow("type", "file", "header", "query", "forward-as", "strip"));
            case "basic" -> basic(s.allow("type", "file", "realm", "forward-as", "strip"));
            case "jwt" -> jwt(s.allow("type", "jwks", "key", "hmac-file", "issuer", "audience", "forward", "require",
                    "clock-skew", "require-expiry", "strip"));
            default -> throw s.error("type", "'" + type + "' (expected: api-key, basic or jwt)");
        };
    }

    private static Authentication apiKeys(Settings s) {
        ApiKeyAuthentication.Builder b = Authentication.apiKeys();
        if (s.has("header")) {
            b.header(s.text("header"));
        }
        if (s.has("query")) {
            b.queryParameter(s.text("query"));
        }
        for (String line : lines(s, "file")) {
            String[] f = line.split("\\s+", 2);
            if (f.length != 2) {
                throw s.error("file", "key file line '" + f[0] + " ...' (expected: HOLDER KEY)");
            }
            b.key(f[0], f[1].trim());
        }
        if (s.has("forward-as")) {
            b.forwardNameAs(s.text("forward-as"));
        }
        b.stripKey(s.flag("strip"));
        return b.build();
    }

    private static Authentication basic(Settings s) {
        BasicAuthentication.Builder b = Authentication.basic(s.has("realm") ? s.text("realm") : "jlb");
        for (String line : lines(s, "file")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw s.error("file", "users file line for '" + line.split(":")[0] + "' (expected: USER:HASH)");
            }
            b.user(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        if (s.has("forward-as")) {
            b.forwardUserAs(s.text("forward-as"));
        }
        b.stripAuthorization(s.flag("strip"));
        return b.build();
    }

    private static Authentication jwt(Settings s) {
        JwtAuthentication.Builder b = Authentication.jwt();
        try {
            for (String jwks : s.all("jwks", "\n")) {
                b.jwks(s.file(jwks));
            }
            for (String key : s.all("key", "\n")) { // [KID=]FILE.pem
                int eq = key.indexOf('=');
                b.publicKeyPem(eq > 0 ? key.substring(0, eq) : null, s.file(eq > 0 ? key.substring(eq + 1) : key));
            }
            for (String hmac : s.all("hmac-file", "\n")) {
                int eq = hmac.indexOf('=');
                byte[] secret = Files.readString(s.file(eq > 0 ? hmac.substring(eq + 1) : hmac), StandardCharsets.UTF_8)
                        .trim().getBytes(StandardCharsets.UTF_8);
                b.hmacSecret(eq > 0 ? hmac.substring(0, eq) : null, secret);
            }
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw s.error(null, e.getMessage());
        }
        if (s.has("issuer")) {
            b.issuer(s.text("issuer"));
        }
        if (s.has("audience")) {
            b.audience(s.text("audience"));
        }
        if (s.has("clock-skew")) {
            b.clockSkew(s.duration("clock-skew"));
        }
        if (s.has("require-expiry")) {
            b.requireExpiry(s.bool("require-expiry"));
        }
        for (String[] f : s.pairs("forward")) {
            b.forwardClaim(f[0], f[1]);
        }
        for (String[] r : s.pairs("require")) {
            b.requireClaim(r[0], r[1]);
        }
        b.stripAuthorization(s.flag("strip"));
        return b.build();
    }

    /** The non-blank lines of the file named by {@code key} that are not comments ({@code #}). */
    private static List<String> lines(Settings s, String key) {
        Path file = s.file(s.required(key));
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw s.error(key, "cannot read " + file + ": " + e.getMessage());
        }
    }
}
