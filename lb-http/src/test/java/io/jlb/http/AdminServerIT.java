package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.Backend;
import io.jlb.core.LoadBalancer;
import io.jlb.core.testing.Await;
import io.jlb.core.testing.TestServer;
import io.jlb.http.internal.Json;
import io.jlb.http.internal.PrometheusText;
import io.jlb.nio.EventLoopGroup;
import io.jlb.nio.TcpProxy;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(90)
class AdminServerIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TOKEN = "s3cret-token";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private RawHttpBackend a;
    private RawHttpBackend b;
    private RawHttpBackend c;
    private TestServer echo;
    private EventLoopGroup loops;
    private LoadBalancer lb;
    private HttpProxy web;
    private TcpProxy db;
    private AdminServer admin;

    @BeforeEach
    void start() throws Exception {
        a = RawHttpBackend.named("a");
        b = RawHttpBackend.named("b");
        c = RawHttpBackend.named("c");
        echo = TestServer.echo();
        lb = LoadBalancer.builder()
                .pool("app", p -> p.selector("round-robin")
                        .backend(Backend.parse(a.hostPort()).withName("a")).backend(Backend.parse(b.hostPort()).withName("b")))
                .pool("db", p -> p.backend(Backend.parse(echo.hostPort()).withName("echo")))
                .build();
        loops = EventLoopGroup.create(2);
        web = HttpProxy.builder().name("web").listen("127.0.0.1:0").loadBalancer(lb).pool("app").eventLoops(loops)
                .build().start();
        db = TcpProxy.builder().name("db").listen("127.0.0.1:0").loadBalancer(lb).pool("db").eventLoops(loops)
                .build().start();
        admin = AdminServer.builder().listen("127.0.0.1:0").loadBalancer(lb).watch("web", web).watch("db", db)
                .bearerToken(TOKEN).eventLoops(loops).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        admin.close();
        web.close();
        db.close();
        loops.close();
        lb.close();
        for (AutoCloseable s : List.of(a, b, c, echo)) {
            s.close();
        }
    }

    @Test
    void metricsAreStrictPrometheusTextAndCountWhatHappened() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertEquals(200, get(web, "/x" + i).statusCode());
        }
        byte[] payload = "hello, echo".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 3; i++) {
            try (Socket s = new Socket(db.address().getAddress(), db.address().getPort())) {
                OutputStream out = s.getOutputStream();
                out.write(payload);
                s.shutdownOutput();
                assertEquals("hello, echo", new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            }
        }
        Await.until(WAIT, "three relayed connections finish", () -> db.stats().durations().count() == 3);

        HttpResponse<String> r = admin("GET", "/metrics", null);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
        Map<String, PrometheusText.Family> m = PrometheusText.parse(r.body());

        assertEquals(20, m.get("jlb_listener_requests_total").value("listener", "web", "protocol", "http"));
        assertEquals(20, m.get("jlb_listener_responses_total").value("listener", "web", "protocol", "http",
                "code_class", "2xx"));
        assertEquals(0, m.get("jlb_listener_responses_total").value("listener", "web", "protocol", "http",
                "code_class", "5xx"));
        assertEquals(20, m.get("jlb_listener_request_duration_seconds").sample("_count", "listener", "web",
                "protocol", "http"));
        assertEquals(20, m.get("jlb_listener_first_byte_seconds").sample("_count", "listener", "web", "protocol",
                "http"));
        assertEquals(10, m.get("jlb_backend_selected_total").value("pool", "app", "backend", "a"), "round-robin");
        assertEquals(10, m.get("jlb_backend_selected_total").value("pool", "app", "backend", "b"));
        assertEquals(10, m.get("jlb_backend_responses_total").value("pool", "app", "backend", "a", "code_class", "2xx"));
        assertEquals(20, m.get("jlb_backend_first_byte_seconds").sum("_count"));
        double connects = m.get("jlb_backend_connect_seconds").sample("_count", "pool", "app", "backend", "a");
        assertTrue(connects >= 1 && connects <= 10, "connections to a: " + connects);
        assertEquals(1, m.get("jlb_backend_state").value("pool", "app", "backend", "a", "state", "unknown"));
        assertEquals(0, m.get("jlb_backend_state").value("pool", "app", "backend", "a", "state", "down"));
        assertEquals(2, m.get("jlb_pool_eligible_backends").value("pool", "app"));

        assertEquals(3, m.get("jlb_listener_connections_accepted_total").value("listener", "db", "protocol", "tcp"));
        assertEquals(3 * payload.length, m.get("jlb_listener_received_bytes_total").value("listener", "db", "protocol",
                "tcp"));
        assertEquals(3 * payload.length, m.get("jlb_listener_sent_bytes_total").value("listener", "db", "protocol", "tcp"));
        assertEquals(3 * payload.length, m.get("jlb_backend_sent_bytes_total").value("pool", "db", "backend", "echo"));
        assertEquals(3, m.get("jlb_listener_connection_duration_seconds").sample("_count", "listener", "db",
                "protocol", "tcp"));
        assertEquals(3, m.get("jlb_backend_duration_seconds").sample("_count", "pool", "db", "backend", "echo"));
        assertEquals(0, m.get("jlb_listener_active_connections").value("listener", "db", "protocol", "tcp"));
    }

    @Test
    void statusIsJsonWithListenersPoolsAndBackends() throws Exception {
        for (int i = 0; i < 4; i++) {
            get(web, "/");
        }
        admin("POST", "/admin/pools/app/backends/b/down", "{\"reason\":\"maintenance window\"}");
        HttpResponse<String> r = admin("GET", "/status", null);
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("content-type").orElse("").split(";")[0]);
        Map<String, Object> status = Json.readObject(r.body());
        List<?> listeners = (List<?>) status.get("listeners");
        assertEquals(List.of("web", "db"), listeners.stream().map(l -> ((Map<?, ?>) l).get("name")).toList());
        Map<?, ?> webStatus = (Map<?, ?>) listeners.get(0);
        assertEquals("http", webStatus.get("protocol"));
        assertEquals("127.0.0.1:" + web.address().getPort(), webStatus.get("address"));
        assertEquals(4L, webStatus.get("requests"));
        Map<String, Object> b1 = backend(status, "app", "b");
        assertEquals("down", b1.get("state"));
        assertEquals("maintenance window", b1.get("reason"));
        assertEquals(2L, b1.get("total"));
        assertEquals(1L, b1.get("weight"));
        Map<?, ?> app = pool(status, "app");
        assertEquals("round-robin", app.get("algorithm"));
        assertEquals(1L, app.get("eligible"));
        assertTrue(((Map<?, ?>) b1.get("latencyMs")).get("p99") instanceof Number);
        Map<?, ?> trend = (Map<?, ?>) b1.get("trend");
        assertTrue(trend.get("rate") instanceof List<?> rates && rates.size() <= 60, "a minute of rates: " + trend);
        assertTrue(trend.get("p99Ms") instanceof List<?>, "and of latencies: " + trend);
    }

    @Test
    void everyEndpointButThePageWantsTheToken() throws Exception {
        for (String path : List.of("/metrics", "/status", "/admin/pools/app/backends")) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(adminUri(path)).GET().build());
            assertEquals(401, r.statusCode(), path);
            assertTrue(r.headers().firstValue("www-authenticate").orElse("").startsWith("Bearer"), path);
            r = send(HttpRequest.newBuilder(adminUri(path)).header("Authorization", "Bearer wrong").GET().build());
            assertEquals(401, r.statusCode(), path);
        }
        HttpResponse<String> page = send(HttpRequest.newBuilder(adminUri("/")).GET().build());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<title>jlb status</title>"));
        assertEquals(200, admin("GET", "/status", null).statusCode());
    }

    @Test
    void badAdminRequestsAreAnsweredWithAReason() throws Exception {
        assertError(404, "no pool named 'nope'", admin("GET", "/admin/pools/nope/backends", null));
        assertError(404, "no backend named 'zz'", admin("POST", "/admin/pools/app/backends/zz/drain", null));
        assertError(400, "address: missing", admin("POST", "/admin/pools/app/backends", "{\"weight\":2}"));
        assertError(400, "unknown key 'wieght'", admin("POST", "/admin/pools/app/backends",
                "{\"address\":\"127.0.0.1:1\",\"wieght\":2}"));
        assertError(400, "expected", admin("POST", "/admin/pools/app/backends", "{\"address\":"));
        assertError(400, "weight", admin("PUT", "/admin/pools/app/backends/a/weight", "{\"weight\":0}"));
        assertError(400, "weight", admin("PUT", "/admin/pools/app/backends/a/weight", "heavy"));
        assertError(409, "already has a backend named 'a'", admin("POST", "/admin/pools/app/backends",
                "{\"address\":\"" + c.hostPort() + "\",\"name\":\"a\"}"));
        assertError(405, "unknown action", admin("POST", "/admin/pools/app/backends/a/explode", null));
        assertError(404, "not found", admin("GET", "/nothing-here", null));
        assertEquals(2, lb.pool("app").members().size(), "nothing changed");
        assertEquals(1, lb.pool("app").member("a").orElseThrow().backend().weight());
    }

    @Test
    void changesUnderLiveTrafficDropNoRequest() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong ok = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = get(web, "/load");
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failures.add(r.statusCode() + " " + r.body());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }, "load-" + t);
            thread.start();
            clients.add(thread);
        }
        try {
            awaitMore(ok, 50);
            HttpResponse<String> added = admin("POST", "/admin/pools/app/backends",
                    "{\"address\":\"" + c.hostPort() + "\",\"name\":\"c\",\"weight\":2,\"zone\":\"z1\"}");
            assertEquals(201, added.statusCode(), added.body());
            Await.until(WAIT, "the added backend takes traffic", () -> c.requests().size() >= 20);
            assertEquals("z1", backend(status(), "app", "c").get("metadata") instanceof Map<?, ?> md ? md.get("zone") : null);

            assertEquals(200, admin("PUT", "/admin/pools/app/backends/a/weight", "{\"weight\":5}").statusCode());
            assertEquals(5L, backend(status(), "app", "a").get("weight"));

            assertEquals(200, admin("POST", "/admin/pools/app/backends/b/drain", null).statusCode());
            assertEquals("draining", backend(status(), "app", "b").get("state"));
            Await.until(WAIT, "b has no request in flight", () -> lb.pool("app").member("b").orElseThrow().active() == 0);
            int bCount = b.requests().size();
            awaitMore(ok, 100);
            assertEquals(bCount, b.requests().size(), "a draining backend takes no new request");

            assertEquals(200, admin("POST", "/admin/pools/app/backends/b/undrain", null).statusCode());
            Await.until(WAIT, "b takes traffic again", () -> b.requests().size() > bCount);

            assertEquals(200, admin("POST", "/admin/pools/app/backends/a/down", "{\"reason\":\"by hand\"}").statusCode());
            Map<String, Object> down = backend(status(), "app", "a");
            assertEquals("down", down.get("state"));
            assertEquals("by hand", down.get("reason"));
            assertEquals(200, admin("POST", "/admin/pools/app/backends/a/up", null).statusCode());
            assertEquals("up", backend(status(), "app", "a").get("state"));

            assertEquals(202, admin("DELETE", "/admin/pools/app/backends/c?drain=true", null).statusCode());
            Await.until(WAIT, "c is removed once idle", () -> findBackend(status(), "app", "c").isEmpty());
            int cCount = c.requests().size();
            assertEquals(200, admin("DELETE", "/admin/pools/app/backends/b", null).statusCode());
            awaitMore(ok, 100);
            assertEquals(cCount, c.requests().size());
        } finally {
            running.set(false);
            for (Thread t : clients) {
                t.join(10_000);
            }
        }
        assertTrue(failures.isEmpty(), "failed requests: " + failures);
        assertEquals(List.of("a"), lb.pool("app").members().stream().map(m -> m.backend().name()).toList());
        assertEquals(0, web.stats().responses(5));
    }

    private static void awaitMore(AtomicLong counter, long more) {
        long target = counter.get() + more;
        Await.until(WAIT, more + " more requests", () -> counter.get() >= target);
    }

    private static void assertError(int status, String text, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r.body());
        Object error = Json.readObject(r.body()).get("error");
        assertTrue(error instanceof String s && s.contains(text), "'" + error + "' should contain '" + text + "'");
    }

    private Map<String, Object> status() {
        try {
            HttpResponse<String> r = admin("GET", "/status", null);
            assertEquals(200, r.statusCode());
            return Json.readObject(r.body());
        } catch (Exception e) {
            throw new AssertionError("GET /status", e);
        }
    }

    private static Map<?, ?> pool(Map<String, Object> status, String name) {
        return ((List<?>) status.get("pools")).stream().map(p -> (Map<?, ?>) p).filter(p -> name.equals(p.get("name")))
                .findFirst().orElseThrow(() -> new AssertionError("no pool " + name));
    }

    private static Optional<Map<String, Object>> findBackend(Map<String, Object> status, String pool, String name) {
        return ((List<?>) pool(status, pool).get("backends")).stream().map(AdminServerIT::object)
                .filter(b -> name.equals(b.get("name"))).findFirst();
    }

    private static Map<String, Object> backend(Map<String, Object> status, String pool, String name) {
        return findBackend(status, pool, name).orElseThrow(() -> new AssertionError("no backend " + name));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o) {
        return (Map<String, Object>) o;
    }

    private HttpResponse<String> get(HttpProxy proxy, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + proxy.address().getPort() + path);
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build());
    }

    private URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + admin.address().getPort() + path);
    }

    private HttpResponse<String> admin(String method, String path, String body) throws Exception {
        HttpRequest.Builder rb = HttpRequest.newBuilder(adminUri(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return send(rb.build());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
