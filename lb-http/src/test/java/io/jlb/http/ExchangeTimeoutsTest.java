package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every timeout of a client connection and its exchange, on a clock moved by hand: what fires, and what answers. */
class ExchangeTimeoutsTest {
    private static final String A = "10.0.0.1:80";
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    private final Harness h = new Harness(lb -> lb.pool("app", p -> p.backend(A)), b -> b
            .timeouts(HttpTimeouts.defaults().withBackendIdle(Duration.ofSeconds(20))) // header 10 s, idle 60 s, response 60 s
            .routes(r -> r.pathPrefix("/slow-auth/").policies(p -> p.authentication(new Authentication() {
                @Override
                public Result authenticate(RequestView request) {
                    throw new AssertionError("runs off the loop");
                }

                @Override
                public Supplier<Result> offLoop(RequestView request) {
                    return Result::allow;
                }
            })).to("app").defaultTo("app")));

    @AfterEach
    void close() {
        h.close();
    }

    private static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheHeaderTimeoutAndAHalfHeadGets408() {
        FakeTransport silent = h.client();
        FakeTransport slow = h.client();
        slow.send("GET /x HTTP/1.1\r\nHo");
        h.advance(Duration.ofSeconds(9));
        assertFalse(silent.isClosed());
        h.advance(Duration.ofSeconds(2));
        assertTrue(silent.isClosed());
        assertEquals("", silent.written(), "nothing to answer");
        assertEquals(408, status(slow.take()));
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAtTheIdleTimeout() {
        FakeTransport c = h.client();
        c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        h.upstream(A).send(OK);
        h.settle();
        assertEquals(200, status(c.take()));
        h.advance(Duration.ofSeconds(59));
        assertFalse(c.isClosed());
        h.advance(Duration.ofSeconds(2));
        assertTrue(c.isClosed());
    }

    @Test
    void aBackendThatAcceptsAndNeverAnswersGets504AtTheResponseTimeoutNotAResetAtTheClientsIdleTimeout() {
        FakeTransport c = h.client();
        c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        FakeTransport u = h.upstream(A);
        h.advance(Duration.ofSeconds(59));
        assertEquals("", c.written());
        h.advance(Duration.ofSeconds(2)); // both the client idle and the response timeout are 60 s
        String response = c.take();
        assertEquals(504, status(response), response);
        assertTrue(u.isClosed());
        assertFalse(c.closedAbortively(), "an answer, not a reset");
    }

    @Test
    void aBackendThatStallsMidResponseIsCutAtTheResponseTimeout() {
        FakeTransport c = h.client();
        c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        FakeTransport u = h.upstream(A);
        u.send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        h.settle();
        assertEquals(200, status(c.written()));
        h.advance(Duration.ofSeconds(61));
        assertTrue(c.closedAbortively(), "the response began: the client is cut");
        assertTrue(u.isClosed());
    }

    @Test
    void aConnectThatNeverCompletesGives504AtTheConnectTimeout() {
        h.slowConnect(A);
        FakeTransport c = h.client();
        c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        h.settle();
        for (int i = 0; i < 3; i++) { // three attempts, each on the only backend
            h.upstream(A);
            h.advance(Duration.ofSeconds(5));
        }
        String response = c.take();
        assertEquals(504, status(response), response);
        assertEquals(3, h.proxy.stats().connectFailures());
    }

    @Test
    void aClientThatStallsItsUploadGets408AtTheIdleTimeout() {
        FakeTransport c = h.client();
        c.send("PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
        FakeTransport u = h.upstream(A);
        h.advance(Duration.ofSeconds(61));
        assertEquals(408, status(c.take()));
        assertTrue(u.isClosed(), "the half-sent request is not left with the backend");
    }

    @Test
    void aSlowCheckThatDoesNotDecideInTimeGets503() {
        FakeTransport c = h.client();
        c.send("GET /slow-auth/x HTTP/1.1\r\nHost: a\r\n\r\n");
        h.advance(Duration.ofSeconds(11)); // the header timeout bounds the wait for a decision
        assertEquals(503, status(c.take()));
        h.runChecks(); // the decision comes, late: ignored
        assertEquals(0, h.pendingUpstreams(A));
    }

    @Test
    void aSlowCheckThatDecidesLetsTheRequestGo() {
        FakeTransport c = h.client();
        c.send("GET /slow-auth/x HTTP/1.1\r\nHost: a\r\n\r\n");
        h.settle();
        assertEquals(0, h.pendingUpstreams(A), "nothing goes before the decision");
        h.runChecks();
        h.upstream(A).send(OK);
        h.settle();
        assertEquals(200, status(c.take()));
    }

    @Test
    void anIdlePooledBackendConnectionIsClosedAtTheBackendIdleTimeout() {
        FakeTransport c = h.client();
        c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        FakeTransport u = h.upstream(A);
        u.send(OK);
        h.settle();
        assertFalse(u.isClosed(), "pooled");
        h.advance(Duration.ofSeconds(21));
        assertTrue(u.isClosed());
    }

    @Test
    void aClosingConnectionLingersThenCloses() {
        FakeTransport c = h.client();
        c.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n");
        h.settle();
        assertEquals(400, status(c.take()));
        assertTrue(c.outputShut() || c.isClosed(), "half-closed after the answer");
        h.advance(Duration.ofSeconds(3));
        assertTrue(c.isClosed());
    }
}
