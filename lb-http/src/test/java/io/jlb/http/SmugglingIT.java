package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import io.jlb.core.testing.Await;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request smuggling attempts through the running proxy to a backend that records every byte it receives: whatever
 * the proxy answers, the backend never sees a second, hidden request. Each attack hides {@code GET /smuggled} in
 * what one reading of the message calls a body and another calls the next request.
 */
@Timeout(60)
class SmugglingIT {
    private static RawHttpBackend backend;
    private static LoadBalancer lb;
    private static HttpProxy proxy;

    private static final String HIDDEN = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";

    @BeforeAll
    static void start() throws Exception {
        backend = RawHttpBackend.named("victim");
        lb = LoadBalancer.builder().pool("p", p -> p.backend(backend.hostPort())).build();
        proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).pool("p").threads(1).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        lb.close();
        backend.close();
    }

    static Stream<Arguments> attacks() {
        return Stream.of(
                Arguments.of("CL.TE", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + (5 + HIDDEN.length())
                        + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + HIDDEN),
                Arguments.of("TE.CL", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked"
                        + "\r\n\r\n" + Integer.toHexString(HIDDEN.length()) + "\r\n" + HIDDEN + "\r\n0\r\n\r\n"),
                Arguments.of("TE.TE xchunked", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n"
                        + "Content-Length: 4\r\n\r\n0\r\n\r\n" + HIDDEN),
                Arguments.of("TE.TE space before colon", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked"
                        + "\r\n\r\n0\r\n\r\n" + HIDDEN),
                Arguments.of("TE.TE second coding", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                        + "Transfer-Encoding: identity\r\n\r\n0\r\n\r\n" + HIDDEN),
                Arguments.of("TE.TE obs-fold", 400, "POST / HTTP/1.1\r\nHost: a\r\nX: y\r\n Transfer-Encoding: chunked"
                        + "\r\nContent-Length: 4\r\n\r\n0\r\n\r\n" + HIDDEN),
                Arguments.of("TE.TE vertical tab", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\u000bchunked"
                        + "\r\n\r\n0\r\n\r\n" + HIDDEN),
                Arguments.of("TE.TE bare LF", 400, "POST / HTTP/1.1\r\nHost: a\r\nX: y\nTransfer-Encoding: chunked"
                        + "\r\n\r\n0\r\n\r\n" + HIDDEN),
                Arguments.of("TE.TE quoted", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\""
                        + "\r\n\r\n0\r\n\r\n" + HIDDEN),
                Arguments.of("duplicate CL", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: "
                        + HIDDEN.length() + "\r\n\r\n" + HIDDEN),
                Arguments.of("CL with sign", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +" + HIDDEN.length()
                        + "\r\n\r\n" + HIDDEN),
                Arguments.of("CL list", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0, " + HIDDEN.length()
                        + "\r\n\r\n" + HIDDEN),
                Arguments.of("TE in HTTP/1.0", 400, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                        + HIDDEN),
                Arguments.of("chunk size overflow", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "FFFFFFFFFFFFFFFFF" + Integer.toHexString(HIDDEN.length()) + "\r\n" + HIDDEN + "\r\n0\r\n\r\n"),
                Arguments.of("negative chunk size", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "-1\r\n" + HIDDEN + "\r\n0\r\n\r\n"),
                Arguments.of("chunk longer than its size", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked"
                        + "\r\n\r\n1\r\nx" + HIDDEN + "\r\n0\r\n\r\n"),
                Arguments.of("chunk size with 0x", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "0x" + Integer.toHexString(HIDDEN.length()) + "\r\n" + HIDDEN + "\r\n0\r\n\r\n"),
                Arguments.of("bare LF in chunk size", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(HIDDEN.length()) + "\n" + HIDDEN + "\r\n0\r\n\r\n"),
                Arguments.of("NUL in a header", 400, "GET / HTTP/1.1\r\nHost: a\r\nX: a\u0000\r\n\r\n" + HIDDEN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void theBackendNeverSeesAHiddenRequest(String name, int status, String attack) throws Exception {
        int before = backend.requests().size();
        try (RawClient c = new RawClient(proxy.address())) {
            c.send(attack);
            RawClient.Response r = c.read();
            assertEquals(status, r.status(), name);
            assertTrue(c.closedByPeer(), name + ": the connection is closed after an ambiguous message");
        }
        Await.until(Duration.ofSeconds(5), "proxy idle", () -> proxy.stats().activeConnections() == 0);
        assertFalse(backend.allRawReceived().contains("/smuggled"), name + ": smuggled bytes reached the backend");
        assertTrue(backend.requests().size() - before <= 1, name);
        assertTrue(backend.requests().stream().noneMatch(r -> r.target().equals("/smuggled")), name);
    }

    /** The same after a good exchange on the connection, where a smuggled request would ride along. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void aBadMessageAfterAGoodOneIsAnsweredAndEndsTheConnection(String name, int status, String attack) throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, c.read().status(), name);
            c.send(attack);
            RawClient.Response r = c.read();
            assertEquals(status, r.status(), name);
            assertTrue(c.closedByPeer(), name + ": the connection is closed after an ambiguous message");
        }
        Await.until(Duration.ofSeconds(5), "proxy idle", () -> proxy.stats().activeConnections() == 0);
        assertTrue(backend.requests().stream().noneMatch(r -> r.target().equals("/smuggled")), name);
    }
}
