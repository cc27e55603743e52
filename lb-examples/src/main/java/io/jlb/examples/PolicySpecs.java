package io.jlb.examples;

import io.jlb.http.ApiKeyAuthentication;
import io.jlb.http.Authentication;
import io.jlb.http.BasicAuthentication;
import io.jlb.http.CircuitBreaker;
import io.jlb.http.Compression;
import io.jlb.http.HashKey;
import io.jlb.http.HeaderRules;
import io.jlb.http.JwtAuthentication;
import io.jlb.http.Policies;
import io.jlb.http.RateLimit;
import io.jlb.http.Retries;
import io.jlb.http.SecurityHeaders;
import io.jlb.http.StickyCookie;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * L7 policies as the {@code lb} command and the configuration file write them, turned into {@link Policies}. The
 * file's keys and the options' specs share the words: {@code sticky}, {@code hash-by}, {@code request-headers},
 * {@code response-headers}, {@code request-id}, {@code security-headers}, {@code rate-limit}, {@code auth},
 * {@code retries}, {@code circuit-breaker}, {@code compression}. Every mistake is a {@link UsageException}
 * naming it.
 */
final class PolicySpecs {
    static final List<String> KEYS = List.of("sticky", "hash-by", "request-headers", "response-headers", "request-id",
            "trust-request-id", "security-headers", "rate-limit", "auth-failure-limit", "auth", "retries",
            "circuit-breaker", "compression", "upgrades");

    private final List<Consumer<Policies.Builder>> steps = new ArrayList<>();

    /** Adds a step that sets one policy. */
    PolicySpecs add(Consumer<Policies.Builder> step) {
        steps.add(step);
        return this;
    }

    boolean isEmpty() {
        return steps.isEmpty();
    }

    Policies build() {
        return Policies.of(b -> steps.forEach(s -> s.accept(b)));
    }

    // ---- values written as one spec string (command-line options, short forms in the file) ----

    /** {@code header:NAME}, {@code cookie:NAME} or {@code query:NAME}. */
    static HashKey hashKey(String what, String spec) {
        int colon = spec.indexOf(':');
        String kind = colon < 0 ? spec : spec.substring(0, colon);
        String name = colon < 0 ? "" : spec.substring(colon + 1).trim();
        try {
            return switch (kind) {
                case "header" -> HashKey.header(name);
                case "cookie" -> HashKey.cookie(name);
                case "query" -> HashKey.query(name);
                default -> throw new UsageException(what + ": '" + spec + "' (expected: header:NAME, cookie:NAME or query:NAME)");
            };
        } catch (IllegalArgumentException e) {
            throw new UsageException(what + ": " + e.getMessage());
        }
    }

    /** {@code NAME[,path=/][,max-age=1h][,secure][,http-only=false][,same-site=Lax][,secret=S]}. */
    static StickyCookie sticky(String what, String spec) {
        String[] parts = spec.split(",");
        try {
            StickyCookie c = StickyCookie.named(parts[0].trim());
            for (int i = 1; i < parts.length; i++) {
                String[] kv = keyValue(parts[i]);
                c = switch (kv[0]) {
                    case "path" -> c.withPath(kv[1]);
                    case "max-age" -> c.withMaxAge(Values.duration(what + " max-age", kv[1]));
                    case "secure" -> c.withSecure(kv[1].isEmpty() || bool(what + " secure", kv[1]));
                    case "http-only" -> c.withHttpOnly(kv[1].isEmpty() || bool(what + " http-only", kv[1]));
                    case "same-site" -> c.withSameSite(kv[1].isEmpty() || kv[1].equals("off") ? null : kv[1]);
                    case "secret" -> c.withSecret(kv[1]);
                    default -> throw new UsageException(what + ": unknown option '" + kv[0]
                            + "' (expected: path, max-age, secure, http-only, same-site, secret)");
                };
            }
            return c;
        } catch (IllegalArgumentException e) {
            throw new UsageException(what + ": " + e.getMessage());
        }
    }

    /**
     * {@code RATE/PERIOD[,burst=N][,key=client|identity|route|global|header:NAME][,max-keys=N]}; PERIOD as
     * {@code s}, {@code 1m}.
     */
    static RateLimit rateLimit(String what, String spec) {
        String[] parts = spec.split(",");
        String[] ratePer = parts[0].trim().split("/");
        if (ratePer.length != 2) {
            throw new UsageException(what + ": '" + spec + "' (expected: RATE/PERIOD such as 100/s or 1000/1m)");
        }
        try {
            long rate = Values.integer(what + " rate", ratePer[0], 1, Integer.MAX_VALUE);
            String per = ratePer[1].trim();
            Duration period = Values.duration(what + " period", Character.isDigit(per.charAt(0)) ? per : "1" + per);
            RateLimit limit = RateLimit.of(rate, period);
            for (int i = 1; i < parts.length; i++) {
                String[] kv = keyValue(parts[i]);
                limit = switch (kv[0]) {
                    case "burst" -> limit.withBurst(Values.integer(what + " burst", kv[1], 1, Integer.MAX_VALUE));
                    case "key" -> rateKey(what, limit, kv[1]);
                    case "max-keys" -> limit.withMaxKeys(Values.integer(what + " max-keys", kv[1], 1, 100_000_000));
                    default -> throw new UsageException(what + ": unknown option '" + kv[0] + "' (expected: burst, key, max-keys)");
                };
            }
            return limit;
        } catch (IllegalArgumentException e) {
            throw new UsageException(what + ": " + e.getMessage());
        }
    }

    static RateLimit rateKey(String what, RateLimit limit, String key) {
        if (key.startsWith("header:")) {
            return limit.byHeader(key.substring(7));
        }
        return switch (key) {
            case "client" -> limit.byClient();
            case "identity" -> limit.byIdentity();
            case "route" -> limit.byRoute();
            case "global" -> limit.global();
            default -> throw new UsageException(what + " key: '" + key
                    + "' (expected: client, identity, route, global or header:NAME)");
        };
    }

    /** {@code websocket,other}, or {@code none}: the protocols an Upgrade may switch to. */
    static String[] upgrades(String what, String spec) {
        if (spec.isBlank() || spec.trim().equals("none")) {
            return new String[0];
        }
        String[] protocols = spec.split(",");
        try {
            Policies.of(b -> b.upgrades(protocols)); // checks now
        } catch (IllegalArgumentException e) {
            throw new UsageException(what + ": " + e.getMessage());
        }
        return protocols;
    }

    /** {@code N[,on=502+503][,max-buffered-body=64k][,budget=20][,min-concurrent=3]}. */
    static Retries retries(String what, String spec) {
        String[] parts = spec.split(",");
        try {
            Retries r = Retries.of(Values.integer(what + " attempts", parts[0].trim(), 1, 10));
            for (int i = 1; i < parts.length; i++) {
                String[] kv = keyValue(parts[i]);
                r = switch (kv[0]) {
                    case "on" -> r.on(statuses(what, kv[1].split("\\+")));
                    case "max-buffered-body" -> r.withMaxBufferedBody((int) Values.size(what + " max-buffered-body", kv[1]));
                    case "budget" -> r.withBudget(Values.integer(what + " budget", kv[1].replace("%", ""), 0, 100),
                            r.minConcurrent());
                    case "min-concurrent" -> r.withBudget(r.budgetPercent(),
                            Values.integer(what + " min-concurrent", kv[1], 0, 1_000_000));
                    default -> throw new UsageException(what + ": unknown option '" + kv[0]
                            + "' (expected: on, max-buffered-body, budget, min-concurrent)");
                };
            }
            return r;
        } catch (IllegalArgumentException e) {
            throw new UsageException(what + ": " + e.getMessage());
        }
    }

    static Integer[] statuses(String what, String[] values) {
        Integer[] out = new Integer[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Values.integer(what + " status", values[i].trim(), 500, 599);
        }
        return out;
    }

    /** {@code max=N[,queue=N][,queue-timeout=1s]}. */
    static CircuitBreaker circuitBreaker(String what, String spec) {
        Integer max = null;
        int queue = 0;
        Duration timeout = Duration.ofSeconds(1);
        for (String part : spec.split(",")) {
            String[] kv = keyValue(part);
            switch (kv[0]) {
                case "max" -> max = Values.integer(what + " max", kv[1], 1, 1_000_000);
                case "queue" -> queue = Values.integer(what + " queue", kv[1], 0, 1_000_000);
                case "queue-timeout" -> timeout = Values.duration(what + " queue-timeout", kv[1]);
                default -> throw new UsageException(what + ": unknown option '" + kv[0] + "' (expected: max, queue, queue-timeout)");
            }
        }
        if (max == null) {
            throw new UsageException(what + ": 'max=N' is required (requests in flight per backend)");
        }
        return CircuitBreaker.maxRequestsPerBackend(max).withQueue(queue, timeout);
    }

    /** {@code set NAME: VALUE}, {@code add NAME: VALUE} or {@code remove NAME}, added to {@code rules}. */
    static void headerRule(String what, String spec, HeaderRules.Builder rules) {
        String s = spec.trim();
        int space = s.indexOf(' ');
        String verb = space < 0 ? s : s.substring(0, space);
        String rest = space < 0 ? "" : s.substring(space + 1).trim();
        try {
            switch (verb) {
                case "remove" -> rules.remove(rest);
                case "set", "add" -> {
                    int colon = rest.indexOf(':');
                    if (colon <= 0) {
                        throw new UsageException(what + ": '" + spec + "' (expected: " + verb + " NAME: VALUE)");
                    }
                    String name = rest.substring(0, colon).trim();
                    String value = rest.substring(colon + 1).trim();
                    if (verb.equals("set")) {
                        rules.set(name, value);
                    } else {
                        rules.add(name, value);
                    }
                }
                default -> throw new UsageException(what + ": '" + spec + "' (expected: set NAME: VALUE, add NAME: VALUE or remove NAME)");
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(what + ": " + e.getMessage());
        }
    }

    /**
     * {@code api-key,file=F[,header=H][,query=Q][,forward-as=H][,strip]}, {@code basic,file=F[,realm=R][,forward-as=H][,strip]}
     * or {@code jwt,(jwks=F|key=PEM|hmac-file=F)...[,issuer=I][,audience=A][,forward=CLAIM:HEADER][,require=CLAIM:VALUE]
     * [,clock-skew=60s][,require-expiry=false][,strip]}; several {@code key=}, {@code forward=}, {@code require=}.
     */
    static Authentication auth(String what, String spec) {
        String[] parts = spec.split(",");
        Map<String, List<String>> options = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String[] kv = keyValue(parts[i]);
            options.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(kv[1]);
        }
        return auth(what, parts[0].trim(), options);
    }

    /** An authentication from its type and options (each possibly repeated). */
    static Authentication auth(String what, String type, Map<String, List<String>> options) {
        try {
            return switch (type) {
                case "api-key" -> apiKeys(what, options);
                case "basic" -> basic(what, options);
                case "jwt" -> jwt(what, options);
                default -> throw new UsageException(what + ": type '" + type + "' (expected: api-key, basic or jwt)");
            };
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UsageException(what + ": " + e.getMessage());
        }
    }

    private static Authentication apiKeys(String what, Map<String, List<String>> o) {
        allowed(what, o, "file", "header", "query", "forward-as", "strip");
        ApiKeyAuthentication.Builder b = Authentication.apiKeys();
        if (o.containsKey("header")) {
            b.header(one(o, "header"));
        }
        if (o.containsKey("query")) {
            b.queryParameter(one(o, "query"));
        }
        for (String line : lines(what, required(what, o, "file"))) {
            String[] f = line.split("\\s+", 2);
            if (f.length != 2) {
                throw new UsageException(what + ": key file line '" + f[0] + " ...' (expected: HOLDER KEY)");
            }
            b.key(f[0], f[1].trim());
        }
        if (o.containsKey("forward-as")) {
            b.forwardNameAs(one(o, "forward-as"));
        }
        b.stripKey(flag(what, o, "strip"));
        return b.build();
    }

    private static Authentication basic(String what, Map<String, List<String>> o) {
        allowed(what, o, "file", "realm", "forward-as", "strip");
        BasicAuthentication.Builder b = Authentication.basic(o.containsKey("realm") ? one(o, "realm") : "jlb");
        for (String line : lines(what, required(what, o, "file"))) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new UsageException(what + ": users file line for '" + line.split(":")[0] + "' (expected: USER:HASH)");
            }
            b.user(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        if (o.containsKey("forward-as")) {
            b.forwardUserAs(one(o, "forward-as"));
        }
        b.stripAuthorization(flag(what, o, "strip"));
        return b.build();
    }

    private static Authentication jwt(String what, Map<String, List<String>> o) {
        allowed(what, o, "jwks", "key", "hmac-file", "issuer", "audience", "forward", "require", "clock-skew",
                "require-expiry", "strip");
        JwtAuthentication.Builder b = Authentication.jwt();
        try {
            for (String jwks : o.getOrDefault("jwks", List.of())) {
                b.jwks(Path.of(jwks));
            }
            for (String key : o.getOrDefault("key", List.of())) { // [KID=]FILE.pem
                int eq = key.indexOf('=');
                b.publicKeyPem(eq > 0 ? key.substring(0, eq) : null, Path.of(eq > 0 ? key.substring(eq + 1) : key));
            }
            for (String hmac : o.getOrDefault("hmac-file", List.of())) {
                int eq = hmac.indexOf('=');
                byte[] secret = Files.readString(Path.of(eq > 0 ? hmac.substring(eq + 1) : hmac), StandardCharsets.UTF_8)
                        .trim().getBytes(StandardCharsets.UTF_8);
                b.hmacSecret(eq > 0 ? hmac.substring(0, eq) : null, secret);
            }
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new UsageException(what + ": " + e.getMessage());
        }
        if (o.containsKey("issuer")) {
            b.issuer(one(o, "issuer"));
        }
        if (o.containsKey("audience")) {
            b.audience(one(o, "audience"));
        }
        if (o.containsKey("clock-skew")) {
            b.clockSkew(Values.duration(what + " clock-skew", one(o, "clock-skew")));
        }
        if (o.containsKey("require-expiry")) {
            b.requireExpiry(bool(what + " require-expiry", one(o, "require-expiry")));
        }
        for (String f : o.getOrDefault("forward", List.of())) {
            String[] cv = pair(what + " forward", f, "CLAIM:HEADER");
            b.forwardClaim(cv[0], cv[1]);
        }
        for (String r : o.getOrDefault("require", List.of())) {
            String[] cv = pair(what + " require", r, "CLAIM:VALUE");
            b.requireClaim(cv[0], cv[1]);
        }
        b.stripAuthorization(flag(what, o, "strip"));
        return b.build();
    }

    // ---- small helpers ----

    private static String[] pair(String what, String text, String form) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new UsageException(what + ": '" + text + "' (expected: " + form + ")");
        }
        return new String[] {text.substring(0, colon).trim(), text.substring(colon + 1).trim()};
    }

    private static void allowed(String what, Map<String, List<String>> o, String... keys) {
        List<String> allowed = List.of(keys);
        for (String k : o.keySet()) {
            if (!allowed.contains(k)) {
                throw new UsageException(what + ": unknown option '" + k + "' (expected: " + String.join(", ", allowed) + ")");
            }
        }
    }

    private static String required(String what, Map<String, List<String>> o, String key) {
        if (!o.containsKey(key)) {
            throw new UsageException(what + ": '" + key + "=...' is required");
        }
        return one(o, key);
    }

    private static String one(Map<String, List<String>> o, String key) {
        List<String> v = o.get(key);
        return v.get(v.size() - 1);
    }

    private static boolean flag(String what, Map<String, List<String>> o, String key) {
        if (!o.containsKey(key)) {
            return false;
        }
        String v = one(o, key);
        return v.isEmpty() || bool(what + " " + key, v);
    }

    static boolean bool(String what, String value) {
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new UsageException(what + ": '" + value + "' (expected: true or false)");
        };
    }

    /** The non-blank lines of a file that are not comments ({@code #}). */
    static List<String> lines(String what, String file) {
        try {
            return Files.readAllLines(Path.of(file), StandardCharsets.UTF_8).stream().map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new UsageException(what + ": cannot read " + file + ": " + e.getMessage());
        }
    }

    private static String[] keyValue(String part) {
        String p = part.trim();
        int eq = p.indexOf('=');
        return eq < 0 ? new String[] {p, ""} : new String[] {p.substring(0, eq).trim(), p.substring(eq + 1).trim()};
    }

    /** Security headers: {@code recommended}, with an optional CSP. */
    static SecurityHeaders securityHeaders(String csp) {
        SecurityHeaders s = SecurityHeaders.recommended();
        return csp == null ? s : s.withContentSecurityPolicy(csp);
    }

    static Compression compression() {
        return Compression.gzip();
    }
}
