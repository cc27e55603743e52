package io.jlb.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One route being described: conditions (all must hold), then {@link #to(String)} or {@link #split} to finish it.
 * Condition methods may be chained; each returns this builder.
 */
public final class RouteBuilder {
    private final Routes table;
    final List<Predicate<RequestView>> conditions = new ArrayList<>();
    final List<String> description = new ArrayList<>();
    final Map<String, Integer> targets = new LinkedHashMap<>();
    String stripPrefix;
    Handler handler;
    String handlerDescription;
    long maxBodyBytes = 1 << 20;
    Policies policies;

    RouteBuilder(Routes table) {
        this.table = table;
    }

    /** Host: exact (case-insensitive, port ignored), {@code *.domain} for any subdomain, or {@code *}. */
    public RouteBuilder host(String pattern) {
        String p = Objects.requireNonNull(pattern, "host").trim().toLowerCase(Locale.ROOT);
        if (p.isEmpty() || (p.contains("*") && !p.equals("*") && !(p.startsWith("*.") && p.indexOf('*', 1) < 0))) {
            throw new IllegalArgumentException("host: '" + pattern + "' (expected: name, *.domain or *)");
        }
        if (p.equals("*")) {
            return add("host=*", r -> true);
        }
        if (p.startsWith("*.")) {
            String suffix = p.substring(1);
            return add("host=" + p, r -> r.host().endsWith(suffix) && r.host().length() > suffix.length());
        }
        return add("host=" + p, r -> r.host().equals(p));
    }

    /** Path equals {@code exact}. */
    public RouteBuilder path(String exact) {
        String p = checkPath(exact, "path");
        return add("path=" + p, r -> r.path().equals(p));
    }

    /** Path starts with {@code prefix}. */
    public RouteBuilder pathPrefix(String prefix) {
        String p = checkPath(prefix, "pathPrefix");
        return add("path-prefix=" + p, r -> r.path().startsWith(p));
    }

    /**
     * Path starts with {@code prefix}, ignoring ASCII case ({@code /Admin/} and {@code /ADMIN/} too): for backends
     * that match paths without regard to case, so that no spelling of a protected path escapes the route.
     */
    public RouteBuilder pathPrefixIgnoreCase(String prefix) {
        String p = checkPath(prefix, "pathPrefixIgnoreCase");
        return add("path-prefix-ignore-case=" + p, r -> r.path().regionMatches(true, 0, p, 0, p.length()));
    }

    /** Path matches {@code glob}: {@code *} any run of characters (slashes included), {@code ?} one character. */
    public RouteBuilder pathGlob(String glob) {
        String g = checkPath(glob, "pathGlob");
        if (g.endsWith("*") && g.indexOf('*') == g.length() - 1 && g.indexOf('?') < 0) {
            String prefix = g.substring(0, g.length() - 1);
            return add("path=" + g, r -> r.path().startsWith(prefix));
        }
        Pattern compiled = Pattern.compile(globToRegex(g));
        return add("path=" + g, r -> compiled.matcher(r.path()).matches());
    }

    /** The whole path matches {@code regex}. */
    public RouteBuilder pathRegex(String regex) {
        Pattern compiled = compile("pathRegex", regex);
        return add("path-regex=" + regex, r -> compiled.matcher(r.path()).matches());
    }

    /** Method is one of {@code methods} (case-sensitive, as HTTP methods are). */
    public RouteBuilder method(String... methods) {
        if (methods.length == 0) {
            throw new IllegalArgumentException("method: none given");
        }
        Set<String> set = Set.of(methods);
        return add("method=" + String.join("|", methods), r -> set.contains(r.method()));
    }

    /** Header {@code name} has exactly {@code value}. */
    public RouteBuilder header(String name, String value) {
        Objects.requireNonNull(name, "header name");
        Objects.requireNonNull(value, "header value");
        return add("header=" + name + ":" + value, r -> value.equals(r.header(name)));
    }

    /** Header {@code name} is present. */
    public RouteBuilder headerPresent(String name) {
        Objects.requireNonNull(name, "header name");
        return add("header=" + name, r -> r.header(name) != null);
    }

    /** Header {@code name}'s value matches {@code regex} entirely. */
    public RouteBuilder headerRegex(String name, String regex) {
        Pattern compiled = compile("headerRegex", regex);
        return add("header-regex=" + name + ":" + regex, r -> {
            String v = r.header(name);
            return v != null && compiled.matcher(v).matches();
        });
    }

    /** Query parameter {@code name} has exactly {@code value} (as sent, not percent-decoded). */
    public RouteBuilder query(String name, String value) {
        Objects.requireNonNull(name, "query name");
        Objects.requireNonNull(value, "query value");
        return add("query=" + name + "=" + value, r -> value.equals(r.queryParameter(name)));
    }

    /** Strips {@code prefix} from the path before forwarding ({@code /api/v1/users} → {@code /users}). */
    public RouteBuilder stripPrefix(String prefix) {
        if (stripPrefix != null) {
            throw new IllegalStateException("stripPrefix: already set to " + stripPrefix);
        }
        stripPrefix = checkPath(prefix, "stripPrefix");
        return this;
    }

    /**
     * Finishes the route: the proxy answers matching requests itself with {@code handler}, which sees the body read
     * in full (up to {@link #maxBodyBytes(long)}, 1 MiB unless set; 413 beyond).
     */
    public Routes handle(Handler value) {
        return finishLocal(Objects.requireNonNull(value, "handler"), "handler");
    }

    /** Finishes the route: matching requests get a fixed status and text body. */
    public Routes respond(int status, String body) {
        Reply reply = Reply.text(status, body);
        return finishLocal(request -> reply, "respond " + status);
    }

    /**
     * Finishes the route: matching requests are redirected. {@code location} may use {@code {host}} (without port),
     * {@code {path}}, {@code {query}} (with its {@code ?}, or empty) and {@code {uri}} (path and query):
     * {@code redirect(308, "https://{host}{uri}")}.
     */
    public Routes redirect(int status, String location) {
        Reply.redirect(status, location); // checks the status now
        return finishLocal(request -> {
            String q = request.query() == null ? "" : "?" + request.query();
            String host = request.header("host") == null ? "" : request.header("host").replaceFirst(":[0-9]+$", "");
            return Reply.redirect(status, location.replace("{host}", host).replace("{path}", request.path())
                    .replace("{query}", q).replace("{uri}", request.path() + q));
        }, "redirect " + status + " " + location);
    }

    /**
     * This route's policies: each one set here replaces the listener's ({@link HttpProxyBuilder#policies}); the
     * others are inherited.
     */
    public RouteBuilder policies(java.util.function.Consumer<Policies.Builder> spec) {
        if (policies != null) {
            throw new IllegalStateException("policies: already set for this route");
        }
        policies = Policies.of(spec);
        return this;
    }

    /** This route's policies, described elsewhere (a configuration file). */
    public RouteBuilder policies(Policies value) {
        if (policies != null) {
            throw new IllegalStateException("policies: already set for this route");
        }
        policies = Objects.requireNonNull(value, "policies");
        return this;
    }

    /** The largest request body a handler route reads; 1 MiB unless set. */
    public RouteBuilder maxBodyBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes: " + bytes + " (expected: >= 0)");
        }
        maxBodyBytes = bytes;
        return this;
    }

    private Routes finishLocal(Handler h, String description) {
        if (!targets.isEmpty() || handler != null) {
            throw new IllegalStateException("route already finished");
        }
        if (stripPrefix != null) {
            throw new IllegalStateException("stripPrefix: applies to forwarding routes only");
        }
        handler = h;
        handlerDescription = description;
        table.add(this);
        return table;
    }

    /** Finishes the route: matching requests go to {@code pool}. */
    public Routes to(String pool) {
        return split(Map.of(Objects.requireNonNull(pool, "pool"), 1));
    }

    /** Finishes the route: matching requests are split between two pools by weight (95/5 for a canary). */
    public Routes split(String pool, int weight, String otherPool, int otherWeight) {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put(pool, weight);
        if (m.put(otherPool, otherWeight) != null) {
            throw new IllegalArgumentException("split: pool '" + otherPool + "' given twice");
        }
        return split(m);
    }

    /** Finishes the route: matching requests are split between pools by weight (iteration order kept). */
    public Routes split(Map<String, Integer> weights) {
        if (!targets.isEmpty() || handler != null) {
            throw new IllegalStateException("route already finished");
        }
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("split: no pool given");
        }
        for (Map.Entry<String, Integer> e : weights.entrySet()) {
            if (e.getValue() == null || e.getValue() < 1) {
                throw new IllegalArgumentException("weight of pool '" + e.getKey() + "': " + e.getValue()
                        + " (expected: >= 1)");
            }
        }
        targets.putAll(weights);
        table.add(this);
        return table;
    }

    String describe() {
        String when = description.isEmpty() ? "*" : String.join(" ", description);
        if (handler != null) {
            return when + " -> " + handlerDescription;
        }
        String to = targets.size() == 1 ? targets.keySet().iterator().next()
                : targets.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
        return when + " -> " + to + (stripPrefix != null ? " strip=" + stripPrefix : "");
    }

    private RouteBuilder add(String what, Predicate<RequestView> condition) {
        if (!targets.isEmpty() || handler != null) {
            throw new IllegalStateException("route already finished");
        }
        description.add(what);
        conditions.add(condition);
        return this;
    }

    private static String checkPath(String path, String option) {
        Objects.requireNonNull(path, option);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(option + ": '" + path + "' (expected: starting with /)");
        }
        return path;
    }

    private static Pattern compile(String option, String regex) {
        try {
            return Pattern.compile(Objects.requireNonNull(regex, option));
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException(option + ": '" + regex + "' is not a regular expression: "
                    + e.getDescription());
        }
    }

    static String globToRegex(String glob) {
        StringBuilder sb = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    sb.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                sb.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            sb.append(Pattern.quote(literal.toString()));
        }
        return sb.toString();
    }
}
