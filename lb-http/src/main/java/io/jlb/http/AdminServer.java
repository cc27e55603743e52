package io.jlb.http;

import io.jlb.core.Backend;
import io.jlb.core.BackendState;
import io.jlb.core.Histogram;
import io.jlb.core.LoadBalancer;
import io.jlb.core.Member;
import io.jlb.core.Pool;
import io.jlb.http.internal.Json;
import io.jlb.http.internal.Prometheus;
import io.jlb.nio.EventLoopGroup;
import io.jlb.nio.ProxyStats;
import io.jlb.nio.TcpProxy;
import io.jlb.nio.UdpProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

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
    private final LoadBalancer lb;
    private final List<Watched> listeners;
    private final byte[] token;
    private final HttpProxy server;
    private final Instant started = Instant.now();
    private final long startedNanos = System.nanoTime();
    private final byte[] page;
    private final Trends trends = new Trends();
    private ScheduledExecutorService sampler;

    private record Watched(String name, String protocol, Supplier<InetSocketAddress> address, Object proxy) {}

    private AdminServer(Builder b) {
        this.lb = b.loadBalancer;
        this.listeners = List.copyOf(b.watched);
        this.token = b.token == null ? null : b.token.getBytes(StandardCharsets.UTF_8);
        this.page = resource("status.html");
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
                        .pathPrefix("/admin/").maxBodyBytes(64 * 1024).handle(guarded(this::admin))
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
        sampler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "jlb-admin-trends");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(this::sampleTrends, 0, 1, TimeUnit.SECONDS);
        return this;
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
        server.close();
    }

    private void sampleTrends() {
        try {
            long now = System.nanoTime();
            java.util.Set<Object> live = new java.util.HashSet<>();
            for (Watched w : listeners) {
                String key = "listener:" + w.name;
                if (w.proxy instanceof HttpProxy h) {
                    trends.sample(key, h.stats().requests(), h.stats().durations(), now);
                } else {
                    ProxyStats s = ((L4) stats(w)).stats;
                    trends.sample(key, s.accepted(), s.durations(), now);
                }
                live.add(key);
            }
            forEachMember((pool, m) -> {
                trends.sample(m, m.total(), m.durations(), now);
                live.add(m);
            });
            trends.retain(live);
        } catch (RuntimeException e) {
            // a pool changing under the walk: the next second samples again
            System.getLogger(AdminServer.class.getName()).log(System.Logger.Level.DEBUG, "trend sampling", e);
        }
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
            return refusal != null ? error(403, refusal) : inner.handle(request);
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

    // ---- /metrics ----

    String metrics() {
        Prometheus p = new Prometheus();
        listenerMetrics(p);
        poolMetrics(p);
        backendMetrics(p);
        return p.toString();
    }

    private void listenerMetrics(Prometheus p) {
        counter(p, "jlb_listener_connections_accepted_total", "Client connections (UDP: sessions) accepted.", w -> stats(w).accepted());
        gauge(p, "jlb_listener_active_connections", "Client connections (UDP: sessions) open now.", w -> stats(w).active());
        counter(p, "jlb_listener_connect_failures_total", "Failed backend connection attempts.", w -> stats(w).connectFailures());
        counter(p, "jlb_listener_retries_total", "Attempts made again on another backend.", w -> stats(w).retries());
        p.family("jlb_listener_received_bytes_total", "counter", "Bytes received from clients and relayed (L4).");
        for (Watched w : listeners) {
            if (!(w.proxy instanceof HttpProxy)) {
                p.sample("jlb_listener_received_bytes_total", ((L4) stats(w)).stats.bytesFromClients(), labels(w));
            }
        }
        p.family("jlb_listener_sent_bytes_total", "counter", "Bytes received from backends and relayed to clients (L4).");
        for (Watched w : listeners) {
            if (!(w.proxy instanceof HttpProxy)) {
                p.sample("jlb_listener_sent_bytes_total", ((L4) stats(w)).stats.bytesToClients(), labels(w));
            }
        }
        p.family("jlb_listener_requests_total", "counter", "HTTP requests received.");
        for (Watched w : listeners) {
            if (w.proxy instanceof HttpProxy h) {
                p.sample("jlb_listener_requests_total", h.stats().requests(), labels(w));
            }
        }
        p.family("jlb_listener_responses_total", "counter", "HTTP responses sent, by status class.");
        for (Watched w : listeners) {
            if (w.proxy instanceof HttpProxy h) {
                for (int c = 1; c <= 5; c++) {
                    p.sample("jlb_listener_responses_total", h.stats().responses(c), "listener", w.name, "protocol",
                            w.protocol, "code_class", c + "xx");
                }
            }
        }
        p.family("jlb_listener_request_duration_seconds", "histogram", "Forwarded HTTP exchanges, from request to last response byte.");
        for (Watched w : listeners) {
            if (w.proxy instanceof HttpProxy h) {
                p.histogram("jlb_listener_request_duration_seconds", h.stats().durations().snapshot(), labels(w));
            }
        }
        p.family("jlb_listener_first_byte_seconds", "histogram", "Time from an HTTP request to its response's first byte.");
        for (Watched w : listeners) {
            if (w.proxy instanceof HttpProxy h) {
                p.histogram("jlb_listener_first_byte_seconds", h.stats().firstByteTimes().snapshot(), labels(w));
            }
        }
        p.family("jlb_listener_connection_duration_seconds", "histogram", "Durations of relayed TCP connections.");
        for (Watched w : listeners) {
            if (w.proxy instanceof TcpProxy t) {
                p.histogram("jlb_listener_connection_duration_seconds", t.stats().durations().snapshot(), labels(w));
            }
        }
    }

    private void poolMetrics(Prometheus p) {
        p.family("jlb_pool_backends", "gauge", "Backends of the pool, by state.");
        for (Pool pool : lb.pools()) {
            for (BackendState state : BackendState.values()) {
                long n = pool.members().stream().filter(m -> m.state() == state).count();
                p.sample("jlb_pool_backends", n, "pool", pool.name(), "state", state.label());
            }
        }
        p.family("jlb_pool_eligible_backends", "gauge", "Backends new picks may land on.");
        lb.pools().forEach(pool -> p.sample("jlb_pool_eligible_backends", pool.eligibleCount(), "pool", pool.name()));
        p.family("jlb_pool_active_connections", "gauge", "Open leases (connections or requests) over the pool.");
        lb.pools().forEach(pool -> p.sample("jlb_pool_active_connections", pool.active(), "pool", pool.name()));
        p.family("jlb_pool_panic", "gauge", "1 when the pool is in panic mode.");
        lb.pools().forEach(pool -> p.sample("jlb_pool_panic", pool.panic() ? 1 : 0, "pool", pool.name()));
        p.family("jlb_pool_dns_lookups_total", "counter", "DNS discovery lookups of the pool's name.");
        lb.pools().forEach(pool -> lb.discovery(pool.name()).ifPresent(d ->
                p.sample("jlb_pool_dns_lookups_total", d.lookups(), "pool", pool.name())));
        p.family("jlb_pool_dns_failures_total", "counter", "DNS discovery lookups that failed (members kept).");
        lb.pools().forEach(pool -> lb.discovery(pool.name()).ifPresent(d ->
                p.sample("jlb_pool_dns_failures_total", d.failures(), "pool", pool.name())));
    }

    private void backendMetrics(Prometheus p) {
        backendGauge(p, "jlb_backend_up", "1 when the backend may be picked.", m -> m.eligible() ? 1 : 0);
        p.family("jlb_backend_state", "gauge", "1 for the backend's current state.");
        forEachMember((pool, m) -> {
            for (BackendState s : BackendState.values()) {
                p.sample("jlb_backend_state", m.state() == s ? 1 : 0, "pool", pool.name(), "backend", m.backend().name(),
                        "state", s.label());
            }
        });
        backendGauge(p, "jlb_backend_weight", "The configured weight.", m -> m.backend().weight());
        backendGauge(p, "jlb_backend_active_connections", "Open leases: connections (L4) or requests (L7).", Member::active);
        backendCounter(p, "jlb_backend_selected_total", "Connections (L4) or requests (L7) sent to the backend.", Member::total);
        backendCounter(p, "jlb_backend_successes_total", "Uses reported as successful.", Member::successes);
        backendCounter(p, "jlb_backend_failures_total", "Uses reported as failed (connect failures, 5xx).", Member::failures);
        backendCounter(p, "jlb_backend_connect_failures_total", "Failed connection attempts.", Member::connectFailures);
        backendCounter(p, "jlb_backend_sent_bytes_total", "Bytes relayed to the backend (L4, tunnels).", Member::bytesToBackend);
        backendCounter(p, "jlb_backend_received_bytes_total", "Bytes relayed from the backend (L4, tunnels).", Member::bytesFromBackend);
        backendCounter(p, "jlb_backend_ejections_total", "Times passive detection ejected the backend.", Member::ejections);
        backendCounter(p, "jlb_backend_state_changes_total", "Health, draining and ejection transitions.", Member::stateChanges);
        p.family("jlb_backend_responses_total", "counter", "HTTP responses from the backend, by status class.");
        forEachMember((pool, m) -> {
            for (int c = 1; c <= 5; c++) {
                p.sample("jlb_backend_responses_total", m.responses(c), "pool", pool.name(), "backend", m.backend().name(),
                        "code_class", c + "xx");
            }
        });
        backendHistogram(p, "jlb_backend_connect_seconds", "Time to establish a connection to the backend.", Member::connectTimes);
        backendHistogram(p, "jlb_backend_first_byte_seconds", "Time from a request to the first byte of the backend's response.",
                Member::firstByteTimes);
        backendHistogram(p, "jlb_backend_duration_seconds", "Durations of exchanges (L7) or connections (L4).", Member::durations);
    }

    private interface MemberValue {
        double of(Member m);
    }

    private interface MemberVisitor {
        void visit(Pool pool, Member m);
    }

    private void forEachMember(MemberVisitor v) {
        for (Pool pool : lb.pools()) {
            for (Member m : pool.members()) {
                v.visit(pool, m);
            }
        }
    }

    private void backendGauge(Prometheus p, String name, String help, MemberValue value) {
        p.family(name, "gauge", help);
        forEachMember((pool, m) -> p.sample(name, value.of(m), "pool", pool.name(), "backend", m.backend().name()));
    }

    private void backendCounter(Prometheus p, String name, String help, MemberValue value) {
        p.family(name, "counter", help);
        forEachMember((pool, m) -> p.sample(name, value.of(m), "pool", pool.name(), "backend", m.backend().name()));
    }

    private void backendHistogram(Prometheus p, String name, String help, java.util.function.Function<Member, Histogram> h) {
        p.family(name, "histogram", help);
        forEachMember((pool, m) -> p.histogram(name, h.apply(m).snapshot(), "pool", pool.name(), "backend", m.backend().name()));
    }

    private static String[] labels(Watched w) {
        return new String[] {"listener", w.name, "protocol", w.protocol};
    }

    /** Listener counters common to L4 and L7. */
    private interface Counts {
        long accepted();

        long active();

        long connectFailures();

        long retries();
    }

    private record L4(ProxyStats stats) implements Counts {
        public long accepted() {
            return stats.accepted();
        }

        public long active() {
            return stats.active();
        }

        public long connectFailures() {
            return stats.connectFailures();
        }

        public long retries() {
            return stats.retries();
        }
    }

    private record L7(HttpStats stats) implements Counts {
        public long accepted() {
            return stats.connectionsAccepted();
        }

        public long active() {
            return stats.activeConnections();
        }

        public long connectFailures() {
            return stats.connectFailures();
        }

        public long retries() {
            return stats.retries();
        }
    }

    private static Counts stats(Watched w) {
        if (w.proxy instanceof HttpProxy h) {
            return new L7(h.stats());
        }
        return new L4(w.proxy instanceof TcpProxy t ? t.stats() : ((UdpProxy) w.proxy).stats());
    }

    private void counter(Prometheus p, String name, String help, java.util.function.ToLongFunction<Watched> value) {
        p.family(name, "counter", help);
        listeners.forEach(w -> p.sample(name, value.applyAsLong(w), labels(w)));
    }

    private void gauge(Prometheus p, String name, String help, java.util.function.ToLongFunction<Watched> value) {
        p.family(name, "gauge", help);
        listeners.forEach(w -> p.sample(name, value.applyAsLong(w), labels(w)));
    }

    // ---- /status ----

    String status() {
        Json j = new Json().beginObject();
        j.field("time", Instant.now().toString()).field("started", started.toString())
                .field("uptimeSeconds", (System.nanoTime() - startedNanos) / 1_000_000_000L);
        j.key("listeners").beginArray();
        for (Watched w : listeners) {
            Counts c = stats(w);
            j.beginObject().field("name", w.name).field("protocol", w.protocol)
                    .field("address", format(w.address.get())).field("accepted", c.accepted())
                    .field("active", c.active()).field("connectFailures", c.connectFailures()).field("retries", c.retries());
            if (w.proxy instanceof HttpProxy h) {
                HttpStats s = h.stats();
                j.field("requests", s.requests()).field("activeRequests", s.activeRequests());
                j.key("responses").beginObject();
                for (int k = 1; k <= 5; k++) {
                    j.field(k + "xx", s.responses(k));
                }
                j.endObject();
                latency(j, s.durations());
            } else {
                ProxyStats s = ((L4) c).stats;
                j.field("bytesIn", s.bytesFromClients()).field("bytesOut", s.bytesToClients()).field("rejected", s.rejected());
            }
            trend(j, trends.get("listener:" + w.name));
            j.endObject();
        }
        j.endArray();
        j.key("pools").beginArray();
        for (Pool pool : lb.pools()) {
            pool(j, pool);
        }
        j.endArray();
        return j.endObject().toString();
    }

    private void pool(Json j, Pool pool) {
        j.beginObject().field("name", pool.name()).field("algorithm", pool.selectorName())
                .field("eligible", pool.eligibleCount()).field("size", pool.members().size())
                .field("active", pool.active()).field("panic", pool.panic());
        lb.discovery(pool.name()).ifPresent(d -> j.key("discovery").beginObject().field("query", d.query())
                .field("lookups", d.lookups()).field("failures", d.failures()).field("members", d.members())
                .field("lastError", d.lastError()).endObject());
        j.key("backends").beginArray();
        long now = lb.ticker().read();
        for (Member m : pool.members()) {
            member(j, m, now);
        }
        j.endArray().endObject();
    }

    private void member(Json j, Member m, long now) {
        Backend b = m.backend();
        j.beginObject().field("name", b.name()).field("address", b.authority()).field("state", m.state().label())
                .field("health", m.health().label()).field("weight", b.weight()).field("backup", b.backup())
                .field("slowStart", m.inSlowStart()).field("active", m.active()).field("total", m.total())
                .field("successes", m.successes()).field("failures", m.failures())
                .field("consecutiveFailures", m.consecutiveFailures()).field("connectFailures", m.connectFailures())
                .field("ejections", m.ejections()).field("bytesIn", m.bytesToBackend()).field("bytesOut", m.bytesFromBackend())
                .field("reason", m.reason());
        long checked = m.lastCheckNanos();
        j.field("lastCheckAgoMs", checked < 0 ? -1 : (now - checked) / 1_000_000);
        if (!b.metadata().isEmpty()) {
            j.key("metadata").beginObject();
            b.metadata().forEach(j::field);
            j.endObject();
        }
        j.key("responses").beginObject();
        for (int k = 1; k <= 5; k++) {
            j.field(k + "xx", m.responses(k));
        }
        j.endObject();
        latency(j, m.durations());
        trend(j, trends.get(m));
        j.endObject();
    }

    /** The last minute, a sample a second, oldest first: rates, and p99s in ms (null for a second without any). */
    private static void trend(Json j, Trends.Series series) {
        j.key("trend").beginObject().key("rate").beginArray();
        if (series != null) {
            for (double r : series.rates()) {
                j.value(r);
            }
        }
        j.endArray().key("p99Ms").beginArray();
        if (series != null) {
            for (double p : series.p99Millis()) {
                if (Double.isNaN(p)) {
                    j.value((String) null);
                } else {
                    j.value(p);
                }
            }
        }
        j.endArray().endObject();
    }

    private static void latency(Json j, Histogram h) {
        Histogram.Snapshot s = h.snapshot();
        j.key("latencyMs").beginObject().field("p50", s.quantile(0.5) / 1e6).field("p90", s.quantile(0.9) / 1e6)
                .field("p99", s.quantile(0.99) / 1e6).field("p999", s.quantile(0.999) / 1e6).field("count", s.count())
                .endObject();
    }

    private static String format(InetSocketAddress a) {
        if (a == null) {
            return "";
        }
        String host = a.getAddress() == null ? a.getHostString() : io.jlb.nio.internal.Addresses.text(a.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    // ---- /admin ----

    /**
     * {@code POST /admin/pools/P/backends} (JSON: address, weight, name, backup, zone);
     * {@code DELETE /admin/pools/P/backends/B[?drain=true]}; {@code POST .../B/drain}, {@code .../B/undrain},
     * {@code .../B/up}, {@code .../B/down} (JSON: reason); {@code PUT .../B/weight} (JSON: weight).
     */
    private Reply admin(Request request) {
        String[] parts = request.path().substring(1).split("/", -1);
        if (request.path().equals("/admin/tls/reload")) {
            return request.method().equals("POST") ? reloadTls() : error(405, "use POST");
        }
        // admin, pools, P, backends, [B, [action]]
        if (parts.length < 3 || !parts[1].equals("pools")) {
            return error(404, "unknown admin path " + request.path());
        }
        Pool pool = lb.findPool(decode(parts[2])).orElse(null);
        if (pool == null) {
            return error(404, "no pool named '" + decode(parts[2]) + "'");
        }
        if (parts.length == 3) {
            return request.method().equals("GET") ? Reply.json(200, poolJson(pool)) : error(405, "use GET");
        }
        if (!parts[3].equals("backends")) {
            return error(404, "unknown admin path " + request.path());
        }
        try {
            if (parts.length == 4) {
                return switch (request.method()) {
                    case "GET" -> Reply.json(200, poolJson(pool));
                    case "POST" -> addBackend(pool, request);
                    default -> error(405, "use GET or POST");
                };
            }
            String name = decode(parts[4]);
            if (pool.member(name).isEmpty()) {
                return error(404, "pool '" + pool.name() + "' has no backend named '" + name + "'");
            }
            String action = parts.length > 5 ? parts[5] : "";
            return switch (request.method() + " " + action) {
                case "GET " -> Reply.json(200, memberJson(pool.member(name).orElseThrow()));
                case "DELETE " -> remove(pool, name, "true".equals(request.queryParameter("drain")));
                case "POST drain" -> {
                    pool.drain(name);
                    yield Reply.json(200, memberJson(pool.member(name).orElseThrow()));
                }
                case "POST undrain" -> Reply.json(200, memberJson(pool.undrain(name)));
                case "POST up" -> Reply.json(200, memberJson(pool.markUp(name, reason(request, "marked up by an operator"))));
                case "POST down" -> Reply.json(200, memberJson(pool.markDown(name, reason(request, "marked down by an operator"))));
                case "PUT weight", "POST weight" -> Reply.json(200, memberJson(pool.reweight(name, weight(request))));
                default -> error(405, "unknown action '" + request.method() + " " + action + "' (expected: GET, DELETE, "
                        + "POST drain|undrain|up|down, PUT weight)");
            };
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        }
    }

    /** {@code POST /admin/tls/reload}: every TLS listener reads its certificate files again. */
    private Reply reloadTls() {
        Json j = new Json().beginObject().key("reloaded").beginArray();
        for (Watched w : listeners) {
            io.jlb.nio.ServerTls tls = w.proxy instanceof HttpProxy h ? h.tls() : w.proxy instanceof TcpProxy t ? t.tls() : null;
            if (tls == null) {
                continue;
            }
            try {
                tls.reload();
            } catch (java.io.UncheckedIOException e) {
                return error(500, "listener '" + w.name + "': " + e.getCause().getMessage() + " (its old certificates stay)");
            }
            j.beginObject().field("listener", w.name).key("certificates").beginArray();
            for (List<String> names : tls.certificateNames()) {
                j.value(String.join(" ", names));
            }
            j.endArray().endObject();
        }
        return Reply.json(200, j.endArray().endObject().toString());
    }

    private Reply addBackend(Pool pool, Request request) {
        Map<String, Object> body = Json.readObject(request.bodyText().isBlank() ? "{}" : request.bodyText());
        Object address = body.get("address");
        if (!(address instanceof String a)) {
            return error(400, "address: missing (expected: \"host:port\")");
        }
        Backend b = Backend.parse(a);
        if (body.get("weight") instanceof Long w) {
            b = b.withWeight(Math.toIntExact(w));
        } else if (body.containsKey("weight")) {
            return error(400, "weight: " + body.get("weight") + " (expected: a whole number from 1 to " + Backend.MAX_WEIGHT + ")");
        }
        if (body.get("name") instanceof String n) {
            b = b.withName(n);
        }
        if (Boolean.TRUE.equals(body.get("backup"))) {
            b = b.withBackup(true);
        }
        if (body.get("zone") instanceof String z) {
            b = b.withMetadata("zone", z);
        }
        for (String key : body.keySet()) {
            if (!List.of("address", "weight", "name", "backup", "zone").contains(key)) {
                return error(400, "unknown key '" + key + "' (expected: address, weight, name, backup, zone)");
            }
        }
        if (pool.member(b.name()).isPresent()) {
            return error(409, "pool '" + pool.name() + "' already has a backend named '" + b.name() + "'");
        }
        return Reply.json(201, memberJson(pool.add(b)));
    }

    private Reply remove(Pool pool, String name, boolean drainFirst) {
        if (!drainFirst) {
            pool.remove(name);
            return Reply.json(200, "{\"removed\":\"" + name.replace("\"", "") + "\"}");
        }
        pool.drain(name).thenRun(() -> pool.remove(name));
        return Reply.json(202, "{\"draining\":\"" + name.replace("\"", "") + "\",\"removedWhenIdle\":true}");
    }

    private static String reason(Request request, String fallback) {
        if (request.bodyText().isBlank()) {
            return fallback;
        }
        Object r = Json.readObject(request.bodyText()).get("reason");
        return r instanceof String s && !s.isBlank() ? s : fallback;
    }

    private static int weight(Request request) {
        String text = request.bodyText().trim();
        Object w = text.startsWith("{") ? Json.readObject(text).get("weight") : text;
        try {
            return w instanceof Long l ? Math.toIntExact(l) : Integer.parseInt(String.valueOf(w));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("weight: " + w + " (expected: a whole number from 1 to " + Backend.MAX_WEIGHT + ")");
        }
    }

    private String poolJson(Pool pool) {
        Json j = new Json();
        pool(j, pool);
        return j.toString();
    }

    private String memberJson(Member m) {
        Json j = new Json();
        member(j, m, lb.ticker().read());
        return j.toString();
    }

    private static Reply error(int status, String message) {
        return Reply.json(status, new Json().beginObject().field("error", message).endObject().toString());
    }

    /** Percent-decodes a path segment ({@code %5B%3A%3A1%5D%3A80} for {@code [::1]:80}); '+' stays '+'. */
    private static String decode(String segment) {
        byte[] bytes = segment.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length) {
                try {
                    out.write(Integer.parseInt(new String(bytes, i + 1, 2, StandardCharsets.US_ASCII), 16));
                    i += 2;
                    continue;
                } catch (NumberFormatException e) {
                    // keep the bytes as they are
                }
            }
            out.write(bytes[i]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Configures an {@link AdminServer}. */
    public static final class Builder {
        private String listen = "127.0.0.1:9901";
        private LoadBalancer loadBalancer;
        private final List<Watched> watched = new ArrayList<>();
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

        /** Shows an L7 listener's counters. */
        public Builder watch(String name, HttpProxy proxy) {
            watched.add(new Watched(name, "http", proxy::address, proxy));
            return this;
        }

        /** Shows an L4 TCP listener's counters. */
        public Builder watch(String name, TcpProxy proxy) {
            watched.add(new Watched(name, "tcp", proxy::address, proxy));
            return this;
        }

        /** Shows an L4 UDP listener's counters. */
        public Builder watch(String name, UdpProxy proxy) {
            watched.add(new Watched(name, "udp", proxy::address, proxy));
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
