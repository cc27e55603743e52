package io.jlb.examples;

import io.jlb.http.HttpProxy;
import io.jlb.http.RouteBuilder;
import io.jlb.http.Routes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The route syntax of the command line, {@code 'CONDITIONS -> POOL [strip=/prefix]'}, and the conditions the
 * configuration file shares with it:
 * <ul>
 *   <li>{@code host=api.example.com}, {@code host=*.example.com}</li>
 *   <li>{@code path=/health} (exact), {@code path=/api/v1/*} (glob: {@code *} any run, {@code ?} one character)</li>
 *   <li>{@code prefix=/static/}, {@code iprefix=/admin/} (ignoring case), {@code regex=/v[0-9]+/.*} (whole path)</li>
 *   <li>{@code method=GET|HEAD}</li>
 *   <li>{@code header=X-Canary:true} (equals), {@code header=X-Debug} (present), {@code header-regex=X-Version:2\..*}</li>
 *   <li>{@code query=debug=1}</li>
 * </ul>
 * POOL is a pool name or weighted pools {@code v1:95,v2:5}. No condition (or {@code *}) matches every request.
 */
final class RouteSpecs {
    static final List<String> KINDS = List.of("host", "path", "prefix", "iprefix", "regex", "method", "header",
            "header-regex", "query");

    private RouteSpecs() {}

    /** Parses {@code 'CONDITIONS -> POOL [strip=/prefix]'}. */
    static Config.Route parse(String what, String spec) {
        int arrow = spec.indexOf("->");
        if (arrow < 0) {
            throw new UsageException(what + ": '" + spec + "' (expected: 'CONDITIONS -> POOL', e.g. 'path=/api/* -> api')");
        }
        List<Config.Condition> conditions = new ArrayList<>();
        for (String part : spec.substring(0, arrow).trim().split("\\s+")) {
            if (part.isEmpty() || part.equals("*")) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new UsageException(what + ": condition '" + part + "' in '" + spec + "' (expected: KIND=VALUE, KIND one of "
                        + String.join(", ", KINDS) + ")");
            }
            conditions.add(condition(what, part.substring(0, eq), part.substring(eq + 1)));
        }
        String[] target = spec.substring(arrow + 2).trim().split("\\s+");
        if (target.length == 0 || target[0].isEmpty()) {
            throw new UsageException(what + ": no pool after '->' in '" + spec + "'");
        }
        String strip = null;
        for (int i = 1; i < target.length; i++) {
            if (!target[i].startsWith("strip=")) {
                throw new UsageException(what + ": unexpected '" + target[i] + "' after the pool in '" + spec
                        + "' (expected: strip=/prefix)");
            }
            strip = target[i].substring("strip=".length());
        }
        return new Config.Route(conditions, targets(what, target[0]), strip, spec);
    }

    /** A checked condition. */
    static Config.Condition condition(String what, String kind, String value) {
        if (!KINDS.contains(kind)) {
            throw new UsageException(what + ": unknown condition '" + kind + "' (expected: one of " + String.join(", ", KINDS) + ")");
        }
        if (value.isEmpty()) {
            throw new UsageException(what + ": condition '" + kind + "' needs a value");
        }
        Config.Condition c = new Config.Condition(kind, value);
        try {
            // Validates patterns now, before anything starts: on a throwaway route that is never finished.
            HttpProxy.builder().routes(r -> apply(List.of(c), r.any()));
        } catch (IllegalArgumentException e) {
            // The route API names its own parameter (pathRegex: ...); say it the way the user wrote it.
            throw new UsageException(what + ": " + e.getMessage().replaceFirst("^[A-Za-z]+: ", kind + ": "));
        }
        return c;
    }

    /** {@code pool} or {@code a:95,b:5}. */
    static Map<String, Integer> targets(String what, String text) {
        Map<String, Integer> targets = new LinkedHashMap<>();
        for (String t : text.split(",")) {
            int colon = t.indexOf(':');
            String pool = colon < 0 ? t : t.substring(0, colon);
            int weight = colon < 0 ? 1 : Values.integer(what + " weight of pool '" + pool + "'", t.substring(colon + 1), 1, 1_000_000);
            if (pool.isEmpty() || targets.put(pool, weight) != null) {
                throw new UsageException(what + ": bad pool list '" + text + "' (expected: pool or pool:weight,pool:weight)");
            }
        }
        return targets;
    }

    /** Adds the route to the proxy's table. */
    static void addTo(Routes routes, Config.Route route) {
        RouteBuilder rb = apply(route.conditions(), routes.any());
        if (route.stripPrefix() != null) {
            rb.stripPrefix(route.stripPrefix());
        }
        if (route.policies() != null) {
            rb.policies(route.policies());
        }
        rb.split(route.targets());
    }

    static RouteBuilder apply(List<Config.Condition> conditions, RouteBuilder rb) {
        for (Config.Condition c : conditions) {
            String v = c.value();
            switch (c.kind()) {
                case "host" -> rb.host(v);
                case "path" -> {
                    if (v.contains("*") || v.contains("?")) {
                        rb.pathGlob(v);
                    } else {
                        rb.path(v);
                    }
                }
                case "prefix" -> rb.pathPrefix(v);
                case "iprefix" -> rb.pathPrefixIgnoreCase(v);
                case "regex" -> rb.pathRegex(v);
                case "method" -> rb.method(v.split("\\|"));
                case "header" -> {
                    int colon = v.indexOf(':');
                    if (colon < 0) {
                        rb.headerPresent(v);
                    } else {
                        rb.header(v.substring(0, colon).trim(), v.substring(colon + 1).trim());
                    }
                }
                case "header-regex" -> {
                    int colon = v.indexOf(':');
                    if (colon <= 0) {
                        throw new IllegalArgumentException("header-regex: '" + v + "' (expected: Name:regex)");
                    }
                    rb.headerRegex(v.substring(0, colon).trim(), v.substring(colon + 1).trim());
                }
                case "query" -> {
                    int eq = v.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("query: '" + v + "' (expected: name=value)");
                    }
                    rb.query(v.substring(0, eq), v.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("unknown condition " + c.kind());
            }
        }
        return rb;
    }
}
