package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The answers the proxy writes itself, without sockets: no route, no backend, handlers, redirects, refusals by a
 * rate limit or authentication, bad requests. Each is framed by the proxy, and the connection goes on when it can.
 */
class ExchangeLocalRepliesTest {
    private static final String A = "10.0.0.1:80";

    private final Harness h = new Harness(lb -> lb.pool("app", p -> p.backends(A)).pool("empty", p -> { }),
            b -> b.routes(r -> r
                    .path("/hello").handle(request -> Reply.text(200, "hello " + request.method()))
                    .path("/old").redirect(301, "https://example.test/new")
                    .path("/teapot").respond(418, "short and stout")
                    .pathPrefix("/limited/").policies(p -> p.rateLimit(RateLimit.of(1, Duration.ofMinutes(1))
                            .withBurst(1).byClient())).to("app")
                    .pathPrefix("/private/").policies(p -> p.authentication(Authentication.apiKeys()
                            .header("X-Api-Key").key("ci", "s3cret-key-0123").build())).to("app")
                    .pathPrefix("/nobody/").to("empty")
                    .host("app.test").to("app")));

    @AfterEach
    void close() {
        h.close();
    }

    private static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    private static String header(String response, String name) {
        for (String line : response.substring(0, response.indexOf("\r\n\r\n")).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    /** Sends {@code request} on a new connection and returns what the proxy wrote back. */
    private String exchange(FakeTransport c, String request) {
        c.send(request);
        h.settle();
        return c.take();
    }

    @Test
    void noRouteIs404AndTheConnectionServesTheNextRequest() {
        FakeTransport c = h.client();
        String r = exchange(c, "GET /nowhere HTTP/1.1\r\nHost: other.test\r\n\r\n");
        assertEquals(404, status(r), r);
        assertEquals(String.valueOf(body(r).length()), header(r, "Content-Length"), "framed by the proxy");
        assertFalse(c.isClosed());
        assertEquals(200, status(exchange(c, "GET /hello HTTP/1.1\r\nHost: other.test\r\n\r\n")));
    }

    @Test
    void aPoolWithoutEligibleBackendsIs503() {
        FakeTransport c = h.client();
        String r = exchange(c, "GET /nobody/x HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(503, status(r), r);
        assertEquals(0, h.pendingUpstreams(A));
        assertFalse(c.isClosed(), "nothing was sent anywhere: the connection goes on");
        assertEquals(200, status(exchange(c, "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")));
        String withBody = exchange(c, "POST /nobody/x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
        assertEquals(503, status(withBody));
        assertEquals("close", header(withBody, "Connection"), "a body left unread: the connection closes");
    }

    @Test
    void handlersAnswerAndHeadGetsTheirHeadOnly() {
        FakeTransport c = h.client();
        String get = exchange(c, "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(200, status(get));
        assertEquals("hello GET", body(get));
        String head = exchange(c, "HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(200, status(head), head);
        assertEquals("", body(head), "no body after a HEAD");
        assertEquals("hello HEAD".length(), Integer.parseInt(header(head, "Content-Length")));
    }

    @Test
    void redirectsAndFixedAnswers() {
        FakeTransport c = h.client();
        String r = exchange(c, "GET /old HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(301, status(r));
        assertEquals("https://example.test/new", header(r, "Location"));
        String t = exchange(c, "GET /teapot HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(418, status(t));
        assertEquals("short and stout", body(t));
    }

    @Test
    void aLocalAnswerToARequestWithABodyDiscardsTheBodyAndKeepsTheConnectionInStep() {
        FakeTransport c = h.client();
        String r = exchange(c, "POST /hello HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nGET /");
        assertEquals(200, status(r));
        assertEquals("hello POST", body(r), "the body's bytes are not taken for a request");
        assertEquals(200, status(exchange(c, "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")));
    }

    @Test
    void overTheRateLimitIs429WithRetryAfterAndNothingGoesUpstream() {
        FakeTransport c = h.client();
        c.send("GET /limited/x HTTP/1.1\r\nHost: a\r\n\r\n");
        h.upstream(A).send("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        h.settle();
        assertEquals(200, status(c.take()));
        String r = exchange(c, "GET /limited/x HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(429, status(r), r);
        assertTrue(Integer.parseInt(header(r, "Retry-After")) > 0);
        assertEquals(0, h.pendingUpstreams(A), "the pooled connection was not used, none was opened");
        assertEquals(1, h.proxy.stats().rateLimited());
    }

    @Test
    void aMissingKeyIs401WithAChallengeAndAWrongOneTooWithoutReachingTheBackend() {
        FakeTransport c = h.client();
        String r = exchange(c, "GET /private/x HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(401, status(r), r);
        assertTrue(header(r, "WWW-Authenticate") != null, r);
        assertEquals(401, status(exchange(c, "GET /private/x HTTP/1.1\r\nHost: a\r\nX-Api-Key: guess\r\n\r\n")));
        assertEquals(0, h.pendingUpstreams(A));
        c.send("GET /private/x HTTP/1.1\r\nHost: a\r\nX-Api-Key: s3cret-key-0123\r\n\r\n");
        FakeTransport u = h.upstream(A);
        assertTrue(u.take().startsWith("GET /private/x HTTP/1.1"));
    }

    @Test
    void aMalformedRequestIs400AndTheConnectionCloses() {
        FakeTransport c = h.client();
        String r = exchange(c, "GET /hello HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n");
        assertEquals(400, status(r), r);
        assertEquals("close", header(r, "Connection"));
        h.advance(Duration.ofSeconds(5)); // past the linger
        assertTrue(c.isClosed());
    }

    @Test
    void anUnsupportedVersionIs505AndAnOverlongLineIs414() {
        FakeTransport c = h.client();
        assertEquals(505, status(exchange(c, "GET /hello HTTP/2.0\r\nHost: a\r\n\r\n")));
        FakeTransport d = h.client();
        assertEquals(414, status(exchange(d, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: a\r\n\r\n")));
    }
}
