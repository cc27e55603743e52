package io.jlb.examples;

import io.jlb.examples.CommandLine.Option;
import io.jlb.http.Authentication;
import io.jlb.http.CircuitBreaker;
import io.jlb.http.Compression;
import io.jlb.http.HashKey;
import io.jlb.http.HeaderRules;
import io.jlb.http.Policies;
import io.jlb.http.RateLimit;
import io.jlb.http.Retries;
import io.jlb.http.SecurityHeaders;
import io.jlb.http.StickyCookie;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The L7 policies, one row each: the file's key, the command-line option, how the option is written, and the one
 * parser both use ({@link Settings} in, a step of {@link Policies.Builder} out). The file's key and the option's
 * spec share their words: {@code --retries 2,on=502+503} and {@code retries: {attempts: 2, on: [502, 503]}} are
 * the same settings.
 */
final class PolicyTable {
    /** How an option writes a policy's settings. */
    enum Form {
        /** {@code HEAD,key=value,...}. */
        SPEC,
        /** The whole value is the head (it may hold commas). */
        WHOLE,
        /** A flag: the head is {@code true}. */
        FLAG,
        /** Repeated {@code KEY VALUE} lines ({@code set NAME: VALUE}). */
        LINES
    }

    /** One policy: its key in the file, its option, the option's form, the key its head value goes under. */
    record Row(String key, Option option, Form form, String head, Set<String> pairKeys,
            Function<Settings, Consumer<Policies.Builder>> parser) {
        /** Parses {@code s} into the step that sets this policy; null when the settings turn it off. */
        Consumer<Policies.Builder> parse(Settings s) {
            try {
                return parser.apply(s);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw s.error(null, e.getMessage());
            }
        }

        /** Settings written as this policy's option writes them. */
        Settings fromOption(String value) {
            String where = "--" + option.name();
            return switch (form) {
                case SPEC -> Settings.spec(where, value, head, pairKeys);
                case WHOLE, FLAG -> Settings.spec(where, "", null, pairKeys).with(head, value);
                case LINES -> throw new IllegalStateException("lines are read with fromLines");
            };
        }
    }

    static final List<Row> ROWS = List.of(
            row("sticky", Option.value("sticky-cookie", "NAME[,max-age=1h,secure,secret=S,...]",
                    "session affinity by a cookie the proxy sets"), Form.SPEC, "cookie", Set.of(),
                    PolicyTable::sticky),
            row("hash-by", Option.value("hash-by", "header:NAME|cookie:NAME|query:NAME", "affinity by hashing a request "
                    + "value (with --algorithm ring-hash or maglev)"), Form.WHOLE, "key", Set.of(), PolicyTable::hashBy),
            row("request-headers", Option.repeated("request-header", "'set|add NAME: VALUE' | 'remove NAME'",
                    "change request headers; values may use {client_ip} {host} {path} {method} {scheme} {request_id}"),
                    Form.LINES, null, Set.of("set", "add"), s -> {
                        List<Consumer<HeaderRules.Builder>> rules = headerRules(s);
                        return b -> b.requestHeaders(x -> rules.forEach(r -> r.accept(x)));
                    }),
            row("response-headers", Option.repeated("response-header", "'set|add NAME: VALUE' | 'remove NAME'",
                    "change response headers; also {backend}"), Form.LINES, null, Set.of("set", "add"), s -> {
                        List<Consumer<HeaderRules.Builder>> rules = headerRules(s);
                        return b -> b.responseHeaders(x -> rules.forEach(r -> r.accept(x)));
                    }),
            row("request-id", Option.flag("request-id", "pass on a valid X-Request-Id or make one; sent to backends "
                    + "and returned"), Form.FLAG, "header", Set.of(), PolicyTable::requestId),
            row("trust-request-id", Option.flag("trust-request-id", "keep a valid X-Request-Id from any client, not "
                    + "only trusted proxies"), Form.FLAG, "enabled", Set.of(), s -> {
                        boolean trust = s.allow("enabled").bool("enabled");
                        return b -> b.trustRequestId(trust);
                    }),
            row("upgrades", Option.value("upgrades", "PROTOCOL[,...]|none", "protocols an Upgrade may switch to "
                    + "(default websocket; h2c never)"), Form.WHOLE, "protocols", Set.of(), PolicyTable::upgrades),
            row("security-headers", Option.flag("security-headers", "add HSTS (HTTPS only), nosniff, X-Frame-Options, "
                    + "Referrer-Policy"), Form.FLAG, "enabled", Set.of(), PolicyTable::securityHeaders),
            row("rate-limit", Option.value("rate-limit", "RATE/PERIOD[,burst=N,key=client|identity|route|global|"
                    + "header:NAME]", "token bucket; over it, 429 with Retry-After (identity and header keys count "
                    + "authenticated requests)"), Form.SPEC, "rate", Set.of(), s -> {
                        RateLimit r = rateLimit(s);
                        return b -> b.rateLimit(r);
                    }),
            row("auth-failure-limit", Option.value("auth-failure-limit", "RATE/PERIOD[,burst=N]", "failed "
                    + "authentications per client address; over it, 429 before credentials are checked"), Form.SPEC,
                    "rate", Set.of(), s -> {
                        RateLimit r = rateLimit(s);
                        return b -> b.authFailureLimit(r);
                    }),
            row("auth", Option.value("auth", "api-key,file=F | basic,file=F | jwt,jwks=F|key=PEM,...",
                    "authentication; refused requests get 401 or 403 (see README)"), Form.SPEC, "type",
                    Set.of("forward", "require"), s -> {
                        Authentication a = AuthSettings.authentication(s);
                        return b -> b.authentication(a);
                    }),
            row("retries", Option.value("retries", "N[,on=502+503,budget=20,max-buffered-body=64k]",
                    "retry failed answers elsewhere"), Form.SPEC, "attempts", Set.of(), s -> {
                        Retries r = retries(s);
                        return b -> b.retries(r);
                    }),
            row("circuit-breaker", Option.value("circuit-breaker", "max=N[,queue=N,queue-timeout=1s]",
                    "cap requests per backend"), Form.SPEC, null, Set.of(), s -> {
                        CircuitBreaker c = circuitBreaker(s);
                        return b -> b.circuitBreaker(c);
                    }),
            row("compression", Option.flag("compress", "gzip text responses for clients that accept it"), Form.FLAG,
                    "enabled", Set.of(), PolicyTable::compression));

    private PolicyTable() {}

    private static Row row(String key, Option option, Form form, String head, Set<String> pairKeys,
            Function<Settings, Consumer<Policies.Builder>> parser) {
        return new Row(key, option, form, head, pairKeys, parser);
    }

    /** The row of the file's key {@code key}; null when there is none. */
    static Row byKey(String key) {
        for (Row r : ROWS) {
            if (r.key.equals(key)) {
                return r;
            }
        }
        return null;
    }

    /** The file's keys. */
    static List<String> keys() {
        return ROWS.stream().map(Row::key).toList();
    }

    /** The options, for the command's help. */
    static List<Option> options() {
        List<Option> out = new ArrayList<>();
        for (Row r : ROWS) {
            out.add(r.option);
            if (r.key.equals("security-headers")) {
                out.add(Option.value("csp", "POLICY", "Content-Security-Policy to add with --security-headers"));
            }
        }
        return out;
    }

    /** The policies the command line asks for; null when none. */
    static Policies fromCommandLine(CommandLine cl) {
        if (cl.get("csp") != null && !cl.flag("security-headers")) {
            throw new UsageException("--csp: goes with --security-headers");
        }
        List<Consumer<Policies.Builder>> steps = new ArrayList<>();
        for (Row r : ROWS) {
            String name = r.option.name();
            Settings s;
            if (r.form == Form.LINES) {
                if (cl.all(name).isEmpty()) {
                    continue;
                }
                s = Settings.lines("--" + name, cl.all(name), r.pairKeys);
            } else if (r.form == Form.FLAG) {
                if (!cl.flag(name)) {
                    continue;
                }
                s = r.fromOption("true");
                if (name.equals("security-headers") && cl.get("csp") != null) {
                    s = s.with("content-security-policy", cl.get("csp"));
                }
            } else {
                if (cl.get(name) == null) {
                    continue;
                }
                s = r.fromOption(cl.get(name));
            }
            Consumer<Policies.Builder> step = r.parse(s);
            if (step != null) {
                steps.add(step);
            }
        }
        return steps.isEmpty() ? null : Policies.of(b -> steps.forEach(s -> s.accept(b)));
    }

    // ---- the parsers ----

    /** {@code cookie}, {@code path}, {@code max-age}, {@code secure}, {@code http-only}, {@code same-site}, {@code secret}. */
    static Consumer<Policies.Builder> sticky(Settings s) {
        s.allow("cookie", "path", "max-age", "secure", "http-only", "same-site", "secret");
        StickyCookie c = StickyCookie.named(s.required("cookie"));
        if (s.has("path")) {
            c = c.withPath(s.text("path"));
        }
        if (s.has("max-age")) {
            c = c.withMaxAge(s.duration("max-age"));
        }
        if (s.has("secure")) {
            c = c.withSecure(s.flag("secure"));
        }
        if (s.has("http-only")) {
            c = c.withHttpOnly(s.flag("http-only"));
        }
        if (s.has("same-site")) {
            String ss = s.text("same-site");
            c = c.withSameSite(ss.isEmpty() || ss.equalsIgnoreCase("off") ? null : ss);
        }
        if (s.has("secret")) {
            c = c.withSecret(s.text("secret"));
        }
        StickyCookie cookie = c;
        return b -> b.sticky(cookie);
    }

    /** {@code key}: {@code header:NAME}, {@code cookie:NAME} or {@code query:NAME}. */
    static Consumer<Policies.Builder> hashBy(Settings s) {
        String spec = s.allow("key").required("key");
        int colon = spec.indexOf(':');
        String kind = colon < 0 ? spec : spec.substring(0, colon);
        String name = colon < 0 ? "" : spec.substring(colon + 1).trim();
        HashKey k = switch (kind) {
            case "header" -> HashKey.header(name);
            case "cookie" -> HashKey.cookie(name);
            case "query" -> HashKey.query(name);
            default -> throw s.error("key", "'" + spec + "' (expected: header:NAME, cookie:NAME or query:NAME)");
        };
        return b -> b.hashBy(k);
    }

    /** {@code set} and {@code add} pairs ({@code NAME: VALUE}), {@code remove} names; checked now. */
    static List<Consumer<HeaderRules.Builder>> headerRules(Settings s) {
        s.allow("set", "add", "remove");
        List<Consumer<HeaderRules.Builder>> rules = new ArrayList<>();
        for (String name : s.all("remove", "\n")) {
            rules.add(x -> x.remove(name));
        }
        for (String[] p : s.pairs("set")) {
            rules.add(x -> x.set(p[0], p[1]));
        }
        for (String[] p : s.pairs("add")) {
            rules.add(x -> x.add(p[0], p[1]));
        }
        HeaderRules.Builder check = HeaderRules.builder();
        rules.forEach(r -> r.accept(check)); // names and values are checked now, not when the proxy starts
        return rules;
    }

    /** {@code header}: {@code true} (X-Request-Id), {@code false}, or the header's name. */
    static Consumer<Policies.Builder> requestId(Settings s) {
        String t = s.allow("header").required("header");
        if (t.equalsIgnoreCase("false")) {
            return null;
        }
        return t.equalsIgnoreCase("true") ? b -> b.requestId() : b -> b.requestId(t);
    }

    /** {@code protocols}: {@code websocket,other}, or {@code none}. */
    static Consumer<Policies.Builder> upgrades(Settings s) {
        s.allow("protocols");
        List<String> list = s.all("protocols", ",");
        String[] protocols = list.equals(List.of("none")) ? new String[0] : list.toArray(String[]::new);
        Policies.of(b -> b.upgrades(protocols)); // checks now
        return b -> b.upgrades(protocols);
    }

    /**
     * {@code enabled} (false turns them off), and any of {@code hsts}, {@code content-type-options},
     * {@code frame-options}, {@code referrer-policy}, {@code content-security-policy} ({@code off} leaves one
     * out), {@code override}.
     */
    static Consumer<Policies.Builder> securityHeaders(Settings s) {
        s.allow("enabled", "hsts", "content-type-options", "frame-options", "referrer-policy",
                "content-security-policy", "override");
        if (s.has("enabled") && !s.bool("enabled")) {
            return null;
        }
        SecurityHeaders d = SecurityHeaders.recommended();
        Function<String, String> value = k -> {
            String t = s.text(k);
            return t.isEmpty() || t.equalsIgnoreCase("off") ? null : t;
        };
        SecurityHeaders h = new SecurityHeaders(s.has("hsts") ? value.apply("hsts") : d.hsts(),
                s.has("content-type-options") ? value.apply("content-type-options") : d.contentTypeOptions(),
                s.has("frame-options") ? value.apply("frame-options") : d.frameOptions(),
                s.has("referrer-policy") ? value.apply("referrer-policy") : d.referrerPolicy(),
                s.has("content-security-policy") ? value.apply("content-security-policy") : null,
                s.has("override") && s.bool("override"));
        return b -> b.securityHeaders(h);
    }

    /**
     * {@code rate} ({@code 100/s}, {@code 1000/1m}, or a number with {@code per}, which is a second unless given),
     * {@code burst}, {@code key}, {@code max-keys}.
     */
    static RateLimit rateLimit(Settings s) {
        s.allow("rate", "per", "burst", "key", "max-keys");
        String rate = s.required("rate");
        String per = s.has("per") ? s.text("per") : "1s";
        int slash = rate.indexOf('/');
        if (slash >= 0) {
            if (s.has("per")) {
                throw s.error("per", "the period is given twice (as " + rate + " and per: " + per + ")");
            }
            per = rate.substring(slash + 1).trim();
            rate = rate.substring(0, slash).trim();
            per = per.isEmpty() || Character.isDigit(per.charAt(0)) ? per : "1" + per;
        }
        RateLimit limit = RateLimit.of(Values.integer(s.whereOf("rate"), rate, 1, Integer.MAX_VALUE),
                Values.duration(s.whereOf("per"), per));
        if (s.has("burst")) {
            limit = limit.withBurst(s.integer("burst", 1, Integer.MAX_VALUE));
        }
        if (s.has("key")) {
            String key = s.text("key");
            limit = key.startsWith("header:") ? limit.byHeader(key.substring(7)) : switch (key) {
                case "client" -> limit.byClient();
                case "identity" -> limit.byIdentity();
                case "route" -> limit.byRoute();
                case "global" -> limit.global();
                default -> throw s.error("key", "'" + key + "' (expected: client, identity, route, global or header:NAME)");
            };
        }
        if (s.has("max-keys")) {
            limit = limit.withMaxKeys(s.integer("max-keys", 1, 100_000_000));
        }
        return limit;
    }

    /** {@code attempts}, {@code on} (statuses, {@code 502+503} or a list), {@code max-buffered-body}, {@code budget}, {@code min-concurrent}. */
    static Retries retries(Settings s) {
        s.allow("attempts", "on", "max-buffered-body", "budget", "min-concurrent");
        Retries r = Retries.of(s.integer("attempts", 1, 10));
        if (s.has("on")) {
            List<String> on = s.all("on", "\\+");
            Integer[] statuses = new Integer[on.size()];
            for (int i = 0; i < statuses.length; i++) {
                statuses[i] = Values.integer(s.whereOf("on"), on.get(i), 500, 599);
            }
            r = r.on(statuses);
        }
        if (s.has("max-buffered-body")) {
            r = r.withMaxBufferedBody((int) s.size("max-buffered-body"));
        }
        if (s.has("budget")) {
            r = r.withBudget(s.integer("budget", 0, 100), r.minConcurrent());
        }
        if (s.has("min-concurrent")) {
            r = r.withBudget(r.budgetPercent(), s.integer("min-concurrent", 0, 1_000_000));
        }
        return r;
    }

    /** {@code max-requests-per-backend} (or {@code max}), {@code queue}, {@code queue-timeout}. */
    static CircuitBreaker circuitBreaker(Settings s) {
        s.allow("max", "max-requests-per-backend", "queue", "queue-timeout");
        String maxKey = s.has("max") ? "max" : "max-requests-per-backend";
        if (!s.has(maxKey)) {
            throw s.error(null, "'max=N' (max-requests-per-backend) is required: requests in flight per backend");
        }
        return CircuitBreaker.maxRequestsPerBackend(s.integer(maxKey, 1, 1_000_000)).withQueue(
                s.has("queue") ? s.integer("queue", 0, 1_000_000) : 0,
                s.has("queue-timeout") ? s.duration("queue-timeout") : Duration.ofSeconds(1));
    }

    /** {@code enabled} (false turns it off), {@code min-bytes}, {@code level}, {@code types} (a list). */
    static Consumer<Policies.Builder> compression(Settings s) {
        s.allow("enabled", "min-bytes", "level", "types");
        if (s.has("enabled") && !s.bool("enabled")) {
            return null;
        }
        Compression c = Compression.gzip();
        if (s.has("min-bytes")) {
            c = c.withMinBytes((int) s.size("min-bytes"));
        }
        if (s.has("level")) {
            c = c.withLevel(s.integer("level", 1, 9));
        }
        if (s.has("types")) {
            c = new Compression(c.minBytes(), s.all("types", "\\+"), c.level());
        }
        Compression compression = c;
        return b -> b.compression(compression);
    }
}
