package io.jlb.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The ordered routing table of an {@link HttpProxy}: the first route whose conditions all hold takes the request;
 * {@link #defaultTo(String)} catches the rest (without a default, an unmatched request is answered 404). Conditions
 * see the request as the backend will receive it: the path normalized (see {@link PathNormalization}), the host
 * lower-cased without a trailing dot, the absolute-form target's authority in place of a Host field.
 *
 * <pre>{@code
 * HttpProxy.builder().routes(r -> r
 *         .host("api.example.com").pathPrefix("/api/v1/").to("api-v1")
 *         .pathGlob("/api/v2/*").to("api-v2")
 *         .header("X-Canary", "true").to("canary")
 *         .pathPrefix("/shop/").split("stable", 95, "canary", 5)
 *         .defaultTo("frontend"))
 * }</pre>
 */
public final class Routes {
    final List<RouteBuilder> routes = new ArrayList<>();

    Routes() {}

    /** A route for requests to {@code host}: exact, {@code *.domain} (any subdomain) or {@code *}. */
    public RouteBuilder host(String pattern) {
        return begin().host(pattern);
    }

    /** A route for requests whose path is exactly {@code path}. */
    public RouteBuilder path(String path) {
        return begin().path(path);
    }

    /** A route for requests whose path starts with {@code prefix}. */
    public RouteBuilder pathPrefix(String prefix) {
        return begin().pathPrefix(prefix);
    }

    /** A route for requests whose path starts with {@code prefix}, ignoring ASCII case. */
    public RouteBuilder pathPrefixIgnoreCase(String prefix) {
        return begin().pathPrefixIgnoreCase(prefix);
    }

    /** A route for requests whose path matches {@code glob} ({@code *} any run of characters, {@code ?} one). */
    public RouteBuilder pathGlob(String glob) {
        return begin().pathGlob(glob);
    }

    /** A route for requests whose whole path matches {@code regex}. */
    public RouteBuilder pathRegex(String regex) {
        return begin().pathRegex(regex);
    }

    /** A route for requests with one of {@code methods}. */
    public RouteBuilder method(String... methods) {
        return begin().method(methods);
    }

    /** A route for requests whose header {@code name} equals {@code value}. */
    public RouteBuilder header(String name, String value) {
        return begin().header(name, value);
    }

    /** A route for requests that carry header {@code name}. */
    public RouteBuilder headerPresent(String name) {
        return begin().headerPresent(name);
    }

    /** A route for requests whose header {@code name} matches {@code regex}. */
    public RouteBuilder headerRegex(String name, String regex) {
        return begin().headerRegex(name, regex);
    }

    /** A route for requests whose query parameter {@code name} equals {@code value}. */
    public RouteBuilder query(String name, String value) {
        return begin().query(name, value);
    }

    /** A route for every request (place it last). */
    public RouteBuilder any() {
        return begin();
    }

    /** Sends every request no route took to {@code pool}. */
    public Routes defaultTo(String pool) {
        return begin().to(pool);
    }

    private RouteBuilder begin() {
        return new RouteBuilder(this);
    }

    void add(RouteBuilder route) {
        routes.add(Objects.requireNonNull(route));
    }
}
