package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.Backend;
import io.jlb.core.LoadBalancer;
import io.jlb.core.testing.Await;
import io.jlb.nio.AccessLog;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class AccessLogIT {
    /** The documented HTTP line, field by field. */
    private static final Pattern LINE = Pattern.compile("(?<client>\\S+) - - \\[(?<time>\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:"
            + "\\d\\d\\.\\d{3} \\+0000)\\] \"(?<request>(?:[^\"\\\\]|\\\\.)*)\" (?<status>\\d{3}|-) (?<bytes>\\d+) "
            + "\"(?<referer>(?:[^\"\\\\]|\\\\.)*)\" \"(?<agent>(?:[^\"\\\\]|\\\\.)*)\" listener=(?<listener>\\S+) "
            + "pool=(?<pool>\\S+) upstream=(?<upstream>\\S+) attempts=(?<attempts>\\d+) ttfb_ms=(?<ttfb>\\d+\\.\\d{3}|-) "
            + "total_ms=(?<total>\\d+\\.\\d{3}) request_id=(?<rid>\\S+) outcome=(?<outcome>[a-z-]+)");

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private RawHttpBackend app;
    private int refusedPort;
    private LoadBalancer lb;
    private AccessLog log;
    private HttpProxy proxy;

    @BeforeEach
    void start() throws Exception {
        app = RawHttpBackend.named("app");
        try (ServerSocket s = new ServerSocket(0)) {
            refusedPort = s.getLocalPort();
        }
        lb = LoadBalancer.builder()
                .pool("app", p -> p.backend(Backend.parse(app.hostPort()).withName("app-1")))
                .pool("gone", p -> p.backend("127.0.0.1:" + refusedPort))
                .build();
        log = AccessLog.to(lines::add, 1024);
        proxy = HttpProxy.builder().name("web").listen("127.0.0.1:0").loadBalancer(lb).threads(1).accessLog(log)
                .connectAttempts(2)
                .routes(r -> r.path("/ping").respond(200, "pong\n").pathPrefix("/api/").to("app")
                        .pathPrefix("/gone/").to("gone"))
                .build().start();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        log.close();
        lb.close();
        app.close();
    }

    @Test
    void aForwardedRequestIsOneCombinedLineWithTheBalancersFields() throws Exception {
        byte[] received;
        try (Socket s = new Socket(proxy.address().getAddress(), proxy.address().getPort())) {
            s.getOutputStream().write(("GET /api/items?q=1 HTTP/1.1\r\nHost: shop\r\nReferer: https://ref.example/\r\n"
                    + "User-Agent: curl/8 \"quoted\"\r\nX-Request-Id: rid-42\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            received = s.getInputStream().readAllBytes();
        }
        Matcher m = awaitLine(0);
        assertEquals("127.0.0.1", m.group("client"));
        assertEquals("GET /api/items?q=1 HTTP/1.1", m.group("request"));
        assertEquals("200", m.group("status"));
        assertEquals(received.length, Integer.parseInt(m.group("bytes")), "bytes sent, head and body");
        assertEquals("https://ref.example/", m.group("referer"));
        assertEquals("curl/8 \\\"quoted\\\"", m.group("agent"), "quotes escaped: the line stays parseable");
        assertEquals("web", m.group("listener"));
        assertEquals("app", m.group("pool"));
        assertEquals(app.hostPort(), m.group("upstream"));
        assertEquals("1", m.group("attempts"));
        assertTrue(Double.parseDouble(m.group("ttfb")) <= Double.parseDouble(m.group("total")));
        assertEquals("rid-42", m.group("rid"));
        assertEquals("ok", m.group("outcome"));
    }

    @Test
    void everyRequestOnAKeepAliveConnectionGetsItsOwnLineInOrder() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /api/a HTTP/1.1\r\nHost: x\r\n\r\nGET /ping HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, c.read().status());
            assertEquals(200, c.read().status());
            assertEquals(404, c.read().status());
        }
        Matcher forwarded = awaitLine(0);
        Matcher handled = awaitLine(1);
        Matcher notFound = awaitLine(2);
        assertEquals("GET /api/a HTTP/1.1", forwarded.group("request"));
        assertEquals("ok", forwarded.group("outcome"));
        assertEquals("GET /ping HTTP/1.1", handled.group("request"));
        assertEquals("handled", handled.group("outcome"));
        assertEquals("-", handled.group("upstream"));
        assertEquals("404", notFound.group("status"));
        assertEquals("local", notFound.group("outcome"));
        assertEquals("-", notFound.group("pool"));
        assertEquals("-", notFound.group("ttfb"));
    }

    @Test
    void aMalformedRequestAndAnUnreachableBackendAreLoggedWithWhatIsKnown() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /api/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
            assertEquals(400, c.read().status());
        }
        Matcher bad = awaitLine(0);
        assertEquals("400", bad.group("status"));
        assertEquals("-", bad.group("request"), "no request line is logged for a request that did not parse");
        assertEquals("local", bad.group("outcome"));

        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /gone/x HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(502, c.read().status());
        }
        Matcher gone = awaitLine(1);
        assertEquals("502", gone.group("status"));
        assertEquals("gone", gone.group("pool"));
        assertEquals("127.0.0.1:" + refusedPort, gone.group("upstream"));
        assertEquals("2", gone.group("attempts"), "both connect attempts are counted");
    }

    private Matcher awaitLine(int index) {
        Await.until(Duration.ofSeconds(10), "access-log line " + index, () -> lines.size() > index);
        String line = lines.get(index);
        Matcher m = LINE.matcher(line);
        assertTrue(m.matches(), "not in the documented format: " + line);
        return m;
    }
}
