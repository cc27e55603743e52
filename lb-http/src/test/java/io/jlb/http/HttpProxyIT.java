package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import io.jlb.core.LoadBalancerBuilder;
import io.jlb.core.OutlierDetection;
import io.jlb.core.testing.Await;
import io.jlb.core.testing.TestServer;
import io.jlb.nio.EventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(90)
class HttpProxyIT {
    private static EventLoopGroup loops;
    private static HttpClient http;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeAll
    static void start() {
        loops = EventLoopGroup.create(2);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        loops.close();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private <T extends AutoCloseable> T later(T resource) {
        cleanup.add(resource);
        return resource;
    }

    private HttpProxy proxy(Consumer<LoadBalancerBuilder> pools, Consumer<HttpProxyBuilder> options) {
        LoadBalancerBuilder lbb = LoadBalancer.builder();
        pools.accept(lbb);
        LoadBalancer lb = later(lbb.build().start());
        HttpProxyBuilder b = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).eventLoops(loops);
        options.accept(b);
        return later(b.build().start());
    }

    private HttpProxy proxyTo(RawHttpBackend backend, Consumer<HttpProxyBuilder> options) {
        return proxy(lb -> lb.pool("p", p -> p.backend(backend.hostPort())), b -> {
            b.pool("p");
            options.accept(b);
        });
    }

    private static URI uri(HttpProxy proxy, String path) {
        return URI.create("http://127.0.0.1:" + proxy.address().getPort() + path);
    }

    private static HttpResponse<String> get(HttpProxy proxy, String path, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(uri(proxy, path)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void forwardsARequestAndAddsProxyHeaders() throws Exception {
        RawHttpBackend backend = later(RawHttpBackend.named("b1"));
        HttpProxy proxy = proxyTo(backend, b -> { });
        HttpResponse<String> r = get(proxy, "/hello?x=1", "X-Forwarded-For", "203.0.113.7", "Via", "1.0 edge");
        assertEquals(200, r.statusCode());
        assertEquals("b1 GET /hello?x=1", r.body());
        assertEquals("1.1 jlb", r.headers().firstValue("via").orElseThrow());
        RawHttpBackend.Request seen = backend.requests().get(0);
        assertEquals("127.0.0.1", seen.header("x-forwarded-for"), "a client's own X-Forwarded-For is replaced");
        assertEquals("127.0.0.1", seen.header("x-real-ip"));
        assertEquals("http", seen.header("x-forwarded-proto"));
        assertEquals("127.0.0.1:" + proxy.address().getPort(), seen.header("x-forwarded-host"));
        assertEquals("for=127.0.0.1;host=\"127.0.0.1:" + proxy.address().getPort() + "\";proto=http",
                seen.header("forwarded"));
        assertEquals("1.0 edge, 1.1 jlb", seen.header("via"));
    }

    @Test
    void removesHopByHopHeadersBothWays() throws Exception {
        RawHttpBackend backend = later(new RawHttpBackend("hop", (req, s, out) -> {
            RawHttpBackend.respond(out, 200, "ok", "Connection: X-Secret", "X-Secret: backend-only",
                    "Keep-Alive: timeout=5", "Proxy-Connection: keep-alive", "X-Kept: yes");
            return true;
        }));
        HttpProxy proxy = proxyTo(backend, b -> { });
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Private\r\nX-Private: client-only\r\n"
                    + "Keep-Alive: timeout=1\r\nTE: trailers\r\nProxy-Connection: x\r\nX-Kept: too\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertNull(r.header("x-secret"));
            assertNull(r.header("keep-alive"));
            assertNull(r.header("proxy-connection"));
            assertEquals("yes", r.header("x-kept"));
        }
        RawHttpBackend.Request seen = backend.requests().get(0);
        assertNull(seen.header("x-private"));
        assertNull(seen.header("keep-alive"));
        assertNull(seen.header("te"));
        assertNull(seen.header("proxy-connection"));
        assertNull(seen.header("connection"));
        assertEquals("too", seen.header("x-kept"));
    }

    @Test
    void reusesKeepAliveConnectionsOnBothSides() throws Exception {
        RawHttpBackend backend = later(RawHttpBackend.named("ka"));
        HttpProxy proxy = proxyTo(backend, b -> { });
        try (RawClient c = new RawClient(proxy.address())) {
            for (int i = 0; i < 5; i++) {
                c.send("GET /" + i + " HTTP/1.1\r\nHost: a\r\n\r\n");
                assertEquals("ka GET /" + i, c.read().text());
            }
        }
        assertEquals(1, backend.connections(), "one backend connection served all five requests");
        assertEquals(1, proxy.stats().connectionsAccepted());
        for (int i = 0; i < 3; i++) { // new client connections reuse the pooled backend connection too
            assertEquals(200, get(proxy, "/again" + i).statusCode());
        }
        assertTrue(backend.connections() <= 2, "pooled: " + backend.connections());
    }

    @Test
    void answersPipelinedRequestsInOrder() throws Exception {
        RawHttpBackend backend = later(RawHttpBackend.named("pipe"));
        HttpProxy proxy = proxyTo(backend, b -> { });
        try (RawClient c = new RawClient(proxy.address())) {
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                all.append("GET /").append(i).append(" HTTP/1.1\r\nHost: a\r\n\r\n");
            }
            all.append("POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloHEAD /h HTTP/1.1\r\nHost: a\r\n\r\n");
            c.send(all.toString());
            for (int i = 0; i < 10; i++) {
                assertEquals("pipe GET /" + i, c.read().text());
            }
            assertEquals("pipe POST /body", c.read().text());
            RawClient.Response head = c.read(true);
            assertEquals(200, head.status());
            assertEquals(0, head.body().length);
        }
        assertEquals("hello", new String(backend.requests().get(10).body()));
    }

    @Test
    void servesHttp10ClientsAndClosesAfter() throws Exception {
        RawHttpBackend backend = later(new RawHttpBackend("chunky", (req, s, out) -> {
            out.write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return true;
        }));
        HttpProxy proxy = proxyTo(backend, b -> { });
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /old HTTP/1.0\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals("HTTP/1.1 200 OK", r.statusLine());
            assertNull(r.header("transfer-encoding"), "an HTTP/1.0 client does not get chunked framing");
            assertEquals("hello world", r.text());
            assertEquals("close", r.header("connection"));
        }
        assertEquals("127.0.0.1:" + proxy.address().getPort(), backend.requests().get(0).header("host"),
                "a Host is added for the HTTP/1.1 backend");
    }

    @Test
    void keepsHttp10KeepAliveWhenAsked() throws Exception {
        RawHttpBackend backend = later(RawHttpBackend.named("ka10"));
        HttpProxy proxy = proxyTo(backend, b -> { });
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals("keep-alive", r.header("connection"));
            c.send("GET /2 HTTP/1.0\r\n\r\n");
            assertEquals("ka10 GET /2", c.read().text());
            assertTrue(c.closedByPeer());
        }
    }

    @Test
    void streamsLargeChunkedUploadsAndDownloadsIntact() throws Exception {
        RawHttpBackend backend = later(new RawHttpBackend("big", (req, s, out) -> {
            byte[] sha = TestServer.sha256().digest(req.body());
            if (req.target().startsWith("/download")) {
                int size = 24 << 20;
                out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                Random r = new Random(size);
                byte[] chunk = new byte[100_000];
                for (int sent = 0; sent < size; sent += chunk.length) {
                    r.nextBytes(chunk);
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } else {
                RawHttpBackend.respond(out, 200, java.util.HexFormat.of().formatHex(sha) + " " + req.body().length);
            }
            return true;
        }));
        HttpProxy proxy = proxyTo(backend, b -> { });
        byte[] upload = new byte[20 << 20];
        new Random(5).nextBytes(upload);
        HttpResponse<String> up = http.send(HttpRequest.newBuilder(uri(proxy, "/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(upload))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, up.statusCode());
        assertEquals(java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload)) + " "
                + upload.length, up.body());
        assertEquals("chunked", backend.requests().get(0).header("transfer-encoding"));
        HttpResponse<InputStream> down = http.send(HttpRequest.newBuilder(uri(proxy, "/download")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (InputStream in = down.body()) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.update(buf, 0, n);
                total += n;
            }
        }
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        Random r = new Random(24 << 20);
        byte[] chunk = new byte[100_000];
        for (int sent = 0; sent < (24 << 20); sent += chunk.length) {
            r.nextBytes(chunk);
            expected.update(chunk);
        }
        assertEquals(((24 << 20) + 99_999) / 100_000 * 100_000L, total);
        assertArrayEquals(expected.digest(), got.digest());
    }

    @Test
    void relaysOneHundredContinue() throws Exception {
        // A backend that answers 100 Continue itself, then reads the body the client sends only after hearing it.
        TestServer continuing = later(TestServer.start("continue", (socket, server) -> {
            InputStream in = socket.getInputStream();
            String head = RawHttpBackend.readHead(in);
            server.record(head.getBytes(StandardCharsets.ISO_8859_1));
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            byte[] body = in.readNBytes(11);
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        }));
        HttpProxy proxy = proxy(lb -> lb.pool("p", p -> p.backend(continuing.hostPort())), b -> b.pool("p"));
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("PUT /file HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n");
            RawClient.Response interim = c.read();
            assertEquals(100, interim.status(), "the client hears 100 Continue before sending its body");
            c.send("hello world");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("hello world", r.text());
        }
        assertTrue(new String(continuing.recorded().get(0), StandardCharsets.ISO_8859_1).contains("Expect: 100-continue"));
    }

    @Test
    void answers502WhenEveryBackendRefuses() throws Exception {
        int dead = freePort();
        HttpProxy proxy = proxy(lb -> lb.pool("p", p -> p.backends("127.0.0.1:" + dead)
                .outlierDetection(OutlierDetection.disabled())), b -> b.pool("p"));
        HttpResponse<String> r = get(proxy, "/");
        assertEquals(502, r.statusCode());
        assertEquals(3, proxy.stats().connectFailures());
    }

    @Test
    void triesAnotherBackendWhenOneRefuses() throws Exception {
        RawHttpBackend live = later(RawHttpBackend.named("live"));
        int dead = freePort();
        HttpProxy proxy = proxy(lb -> lb.pool("p", p -> p.backends("127.0.0.1:" + dead, live.hostPort())
                .selector("round-robin").outlierDetection(OutlierDetection.disabled())), b -> b.pool("p"));
        for (int i = 0; i < 6; i++) {
            assertEquals(200, get(proxy, "/" + i).statusCode());
        }
        assertTrue(proxy.stats().retries() > 0);
    }

    @Test
    void answers503WhenNoBackendIsEligible() throws Exception {
        RawHttpBackend backend = later(RawHttpBackend.named("down"));
        HttpProxy proxy = proxy(lb -> lb.pool("p", p -> p.backend(backend.hostPort()).panicThreshold(0)), b -> b.pool("p"));
        cleanupLb().pool("p").markDown(backend.hostPort(), "test");
        assertEquals(503, get(proxy, "/").statusCode());
        assertEquals(0, backend.connections());
    }

    private LoadBalancer cleanupLb() {
        for (AutoCloseable c : cleanup) {
            if (c instanceof LoadBalancer lb) {
                return lb;
            }
        }
        throw new IllegalStateException("no load balancer");
    }

    @Test
    void answers504WhenTheBackendDoesNotAnswerInTime() throws Exception {
        RawHttpBackend silent = later(new RawHttpBackend("silent", (req, s, out) -> {
            try {
                s.getInputStream().read(); // wait until the proxy gives up and closes
            } catch (IOException closed) {
                // expected
            }
            return false;
        }));
        HttpProxy proxy = proxyTo(silent, b -> b.timeouts(HttpTimeouts.defaults().withResponse(Duration.ofMillis(300))));
        long start = System.nanoTime();
        assertEquals(504, get(proxy, "/slow").statusCode());
        assertTrue(System.nanoTime() - start >= 250_000_000L);
    }

    @Test
    void answers502WhenTheBackendClosesWithoutAnswering() throws Exception {
        RawHttpBackend rude = later(new RawHttpBackend("rude", (req, s, out) -> false));
        HttpProxy proxy = proxyTo(rude, b -> { });
        assertEquals(502, get(proxy, "/").statusCode());
    }

    @Test
    void aBackendDyingMidResponseCutsTheClient() throws Exception {
        RawHttpBackend dies = later(new RawHttpBackend("dies", (req, s, out) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            s.setSoLinger(true, 0);
            s.close();
            return false;
        }));
        HttpProxy proxy = proxyTo(dies, b -> { });
        assertThrows(IOException.class, () -> get(proxy, "/"));
        Await.until(Duration.ofSeconds(5), "aborted", () -> proxy.stats().aborted() == 1);
    }

    @Test
    void aSlowClientGets408AndAnIdleOneIsClosed() throws Exception {
        RawHttpBackend backend = later(RawHttpBackend.named("t"));
        HttpProxy proxy = proxyTo(backend, b -> b.timeouts(HttpTimeouts.defaults()
                .withHeader(Duration.ofMillis(300)).withClientIdle(Duration.ofMillis(400))));
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\n"); // never finishes its head
            RawClient.Response r = c.read();
            assertEquals(408, r.status());
            assertTrue(c.closedByPeer());
        }
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, c.read().status());
            assertTrue(c.closedByPeer(), "closed after the idle timeout");
        }
        assertEquals(0, backend.requests().stream().filter(q -> !q.target().equals("/")).count());
    }

    @Test
    void rejectsBadRequestsWithPreciseStatuses() throws Exception {
        RawHttpBackend backend = later(RawHttpBackend.named("strict"));
        HttpProxy proxy = proxyTo(backend, b -> b.limits(HttpLimits.defaults().withMaxRequestLineBytes(100)
                .withMaxHeaders(10).withMaxBodyBytes(1000)));
        String[][] cases = {
            {"400", "GET / HTTP/1.1\r\n\r\n"},
            {"400", "GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n"},
            {"414", "GET /" + "a".repeat(200) + " HTTP/1.1\r\nHost: a\r\n\r\n"},
            {"431", "GET / HTTP/1.1\r\nHost: a\r\n" + "X: y\r\n".repeat(12) + "\r\n"},
            {"413", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n"},
            {"501", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"},
            {"501", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n"},
            {"505", "GET / HTTP/2.0\r\nHost: a\r\n\r\n"},
        };
        for (String[] c : cases) {
            try (RawClient client = new RawClient(proxy.address())) {
                client.send(c[1]);
                RawClient.Response r = client.read();
                assertEquals(Integer.parseInt(c[0]), r.status(), c[1]);
                assertEquals("close", r.header("connection"));
                assertTrue(client.closedByPeer());
            }
        }
        assertEquals(0, backend.requests().size(), "nothing ambiguous reached the backend");
    }

    @Test
    void aChunkedBodyOverTheLimitIsRefused() throws Exception {
        RawHttpBackend backend = later(RawHttpBackend.named("limit"));
        HttpProxy proxy = proxyTo(backend, b -> b.limits(HttpLimits.defaults().withMaxBodyBytes(10)));
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n" + "x".repeat(20) + "\r\n0\r\n\r\n");
            assertEquals(413, c.read().status());
        }
    }

    @Test
    void acceptsProxyProtocolAndUsesItsClientAddress() throws Exception {
        RawHttpBackend backend = later(RawHttpBackend.named("pp"));
        HttpProxy proxy = proxyTo(backend, b -> b.acceptProxyProtocol(true));
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("PROXY TCP4 198.51.100.9 10.0.0.1 40000 80\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, c.read().status());
        }
        assertEquals("198.51.100.9", backend.requests().get(0).header("x-forwarded-for"));
        try (RawClient c = new RawClient(proxy.address())) {
            // An L4 balancer writes the header first, on its own, before any byte of the client.
            c.send("PROXY TCP6 2001:db8::7 ::1 40001 80\r\n");
            Await.until(Duration.ofSeconds(5), "header consumed", () -> proxy.stats().activeConnections() == 1);
            c.send("GET /second HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, c.read().status());
        }
        assertEquals("2001:db8::7", backend.requests().get(1).header("x-forwarded-for"));
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertTrue(c.closedByPeer(), "no PROXY header: closed");
        }
        assertEquals(2, backend.requests().size());
    }

    @Test
    void drainsOnCloseAfterTheCurrentResponse() throws Exception {
        java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
        RawHttpBackend slow = later(new RawHttpBackend("slowish", (req, s, out) -> {
            try {
                answer.await(10, java.util.concurrent.TimeUnit.SECONDS); // answers once the proxy is draining
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            RawHttpBackend.respond(out, 200, "done");
            return true;
        }));
        LoadBalancer lb = later(LoadBalancer.builder().pool("p", p -> p.backend(slow.hostPort())).build());
        HttpProxy proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).pool("p").eventLoops(loops)
                .drainTimeout(Duration.ofSeconds(10)).build().start();
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            Await.until(Duration.ofSeconds(5), "request in flight", () -> slow.requests().size() == 1);
            Thread closer = new Thread(proxy::close);
            closer.start();
            Await.until(Duration.ofSeconds(5), "proxy draining", proxy::draining);
            answer.countDown();
            RawClient.Response r = c.read();
            assertEquals("done", r.text());
            assertEquals("close", r.header("connection"), "the response in flight tells the client to go");
            closer.join(10_000);
            assertFalse(closer.isAlive());
        }
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
