package io.jlb.http;

import io.jlb.core.LoadBalancer;
import io.jlb.nio.EventLoopGroup;
import io.jlb.nio.Listener;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The admin listener: {@code GET /metrics} in the Prometheus text format, {@code GET /status} as JSON, a live
 * status page at {@code /}, and runtime control under {@code /admin/pools/...}: add, remove, drain, re-weight a
 * backend, mark it up or down. Bound to loopback unless told otherwise; with a bearer token, every endpoint but the
 * page itself requires {@code Authorization: Bearer <token>} (the page sends the token given in its URL as
 * {@code #token=...}).
 *
 * <p>Guarded against being used from a browser page: a request that changes anything must be a {@code POST},
 * {@code PUT} or {@code DELETE} with {@code Content-Type: application/json} (which a cross-site form or a
 * {@code no-cors} fetch cannot send without a CORS preflight, which is refused) and no foreign {@code Origin};
 * without a token, the Host must name the listener by address or as {@code localhost} (a page cannot reach it by DNS
 * rebinding). Pages are never framed ({@code X-Frame-Options: DENY}). Listening on an address other than loopback
 * without a token is refused unless {@link Builder#insecure(boolean)} says that is meant.
 *
 * <pre>{@code
 * AdminServer admin = AdminServer.builder().listen("127.0.0.1:9901").loadBalancer(lb)
 *         .watch("web", httpProxy).watch("edge", tcpProxy).build().start();
 * }</pre>
 *
 * <p>Runs as an {@link HttpProxy} whose routes are all handlers: the same strict parser, limits and keep-alive.
 */
public final class AdminServer implements AutoCloseable {
    private final byte[] token;
    private final HttpProxy server;
    private final byte[] page;
    private final TrendSampler sampler;
    private final AdminMetrics metrics;
    private final AdminStatus status;
    private final AdminApi api;

    private AdminServer(Builder b) {
        LoadBalancer lb = b.loadBalancer;
        AdminListeners listeners = new AdminListeners(b.watched);
        this.token = b.token == null ? null : b.token.getBytes(StandardCharsets.UTF_8);
        this.page = resource("status.html");
        this.sampler = new TrendSampler(lb, listeners);
        this.metrics = new AdminMetrics(lb, listeners);
        this.status = new AdminStatus(lb, listeners, sampler.trends());
        this.api = new AdminApi(lb, listeners, status);
        HttpProxyBuilder proxy = HttpProxy.builder().name("admin").listen(b.listen).loadBalancer(lb)
                .forwardedHeaders(ForwardedHeaders.none())
                .policies(p -> p.responseHeaders(h -> h.set("X-Frame-Options", "DENY")
                        .set("Content-Security-Policy", "frame-ancestors 'none'").set("X-Content-Type-Options", "nosniff")))
                .routes(r -> r
                        .path("/").method("GET", "HEAD").handle(request -> Reply.of(200, "text/html; charset=utf-8", page)
                                .withHeader("Cache-Control", "no-store"))
                        .path("/metrics").method("GET", "HEAD").handle(guarded(request -> Reply.of(200,
                                "text/plain; version=0.0.4; charset=utf-8", metrics().getBytes(StandardCharsets.UTF_8))))
                        .path("/status").method("GET", "HEAD").handle(guarded(request -> Reply.json(200, status())))
                        .pathPrefix("/admin/").maxBodyBytes(64 * 1024).handle(guarded(api::handle))
                        .any().handle(request -> Reply.json(404, "{\"error\":\"not found: " + request.path()
                                .replace("\"", "") + "\"}")));
        if (b.eventLoops != null) {
            proxy.eventLoops(b.eventLoops);
        } else {
            proxy.threads(1);
        }
        this.server = proxy.build();
    }

    /** A builder for an admin server. */
    public static Builder builder() {
        return new Builder();
    }

    /** Binds and starts serving, and starts sampling the last minute's trends once a second. */
    public AdminServer start() {
        server.start();
        sampler.start();
        return this;
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        sampler.close();
        server.close();
    }

    /** The Prometheus export. */
    String metrics() {
        return metrics.render();
    }

    /** The status, as JSON. */
    String status() {
        return status.render();
    }

    private static byte[] resource(String name) {
        try (InputStream in = AdminServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Handler guarded(Handler inner) {
        Handler checked = request -> {
            String refusal = browserRefusal(request);
            return refusal != null ? AdminApi.error(403, refusal) : inner.handle(request);
        };
        if (token == null) {
            return checked;
        }
        return request -> {
            String auth = request.header("authorization");
            byte[] given = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? auth.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (!MessageDigest.isEqual(given, token)) {
                return Reply.json(401, "{\"error\":\"a bearer token is required\"}")
                        .withHeader("WWW-Authenticate", "Bearer realm=\"jlb admin\"");
            }
            return checked.handle(request);
        };
    }

    /**
     * Why a request looks like one a web page made the browser send (cross-site request forgery, DNS rebinding),
     * or null: without a token, a Host that is not an address or {@code localhost}; an Origin that is not the
     * admin listener's own; a change without a JSON body type. Such requests are answered 403.
     */
    private String browserRefusal(Request request) {
        if (token == null && !localHost(request.header("host"))) {
            return "the Host must name this listener by address or as localhost";
        }
        String origin = request.header("origin");
        if (origin != null && !origin.equals("http://" + request.header("host"))) {
            return "cross-origin requests are refused";
        }
        String method = request.method();
        boolean changes = !method.equals("GET") && !method.equals("HEAD");
        String type = request.header("content-type");
        if (changes && (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json"))) {
            return method + " requires Content-Type: application/json";
        }
        return null;
    }

    /** Whether a Host value names a literal address or localhost (with or without a port). */
    private static boolean localHost(String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") ? host.substring(1, Math.max(1, host.indexOf(']')))
                : host.indexOf(':') >= 0 ? host.substring(0, host.lastIndexOf(':')) : host;
        return h.equalsIgnoreCase("localhost") || io.jlb.nio.internal.Addresses.parseLiteral(h) != null;
    }

    /** Configures an {@link AdminServer}. */
    public static final class Builder {
        private String listen = "127.0.0.1:9901";
        private LoadBalancer loadBalancer;
        private final List<AdminListeners.Named> watched = new ArrayList<>();
        private String token;
        private EventLoopGroup eventLoops;
        private boolean insecure;

        private Builder() {}

        /**
         * Allows listening on an address other than loopback without a bearer token: anyone who can reach it can
         * then drain, add and remove backends. Off unless set.
         */
        public Builder insecure(boolean value) {
            insecure = value;
            return this;
        }

        /** Where to listen; {@code 127.0.0.1:9901} unless set. */
        public Builder listen(String hostAndPort) {
            listen = Objects.requireNonNull(hostAndPort, "listen");
            return this;
        }

        /** The load balancer whose pools are shown and changed. Required. */
        public Builder loadBalancer(LoadBalancer value) {
            loadBalancer = Objects.requireNonNull(value, "loadBalancer");
            return this;
        }

        /** Shows a listener (TCP, UDP or HTTP) under its own name. */
        public Builder watch(Listener listener) {
            return watch(listener.name(), listener);
        }

        /** Shows a listener (TCP, UDP or HTTP) under {@code name}. */
        public Builder watch(String name, Listener listener) {
            watched.add(new AdminListeners.Named(Objects.requireNonNull(name, "name"),
                    Objects.requireNonNull(listener, "listener")));
            return this;
        }

        /** Requires {@code Authorization: Bearer <token>} on every endpoint but the page. */
        public Builder bearerToken(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("bearerToken: empty");
            }
            token = value;
            return this;
        }

        /** Loops to share; otherwise the admin server runs one of its own. */
        public Builder eventLoops(EventLoopGroup group) {
            eventLoops = Objects.requireNonNull(group, "eventLoops");
            return this;
        }

        /**
         * Builds the server; {@link AdminServer#start()} binds it.
         *
         * @throws IllegalStateException when it would listen beyond loopback without a token, unless insecure
         */
        public AdminServer build() {
            if (loadBalancer == null) {
                throw new IllegalStateException("loadBalancer: not set");
            }
            if (token == null && !insecure && !loopback(listen)) {
                throw new IllegalStateException("listen: " + listen + " is reachable beyond this host and no bearer "
                        + "token is set (expected: a token, a loopback address, or insecure(true) to accept that "
                        + "anyone who reaches it can change the pools)");
            }
            return new AdminServer(this);
        }

        /** Whether {@code host:port} binds to loopback addresses only. */
        private static boolean loopback(String hostAndPort) {
            int colon = hostAndPort.lastIndexOf(':');
            String host = (colon < 0 ? hostAndPort : hostAndPort.substring(0, colon)).replace("[", "").replace("]", "");
            if (host.isEmpty() || host.equals("*")) {
                return false;
            }
            try {
                for (java.net.InetAddress a : java.net.InetAddress.getAllByName(host)) {
                    if (!a.isLoopbackAddress()) {
                        return false;
                    }
                }
                return true;
            } catch (java.net.UnknownHostException e) {
                return false; // the bind reports the name
            }
        }
    }
}
