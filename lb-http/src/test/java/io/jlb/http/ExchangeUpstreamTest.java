package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The upstream half of the exchange, without sockets: retries and their budget, stale pooled connections, the
 * breaker's queue, failing and lying backends.
 */
class ExchangeUpstreamTest {
    private static final String A = "10.0.0.1:80";
    private static final String B = "10.0.0.2:80";
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private static Harness twoBackends(java.util.function.Consumer<Policies.Builder> policies) {
        return new Harness(lb -> lb.pool("app", p -> p.selector("round-robin").backends(A, B)),
                b -> b.routes(r -> r.any().policies(policies).to("app")));
    }

    private static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    @Test
    void aRetriedStatusGoesToAnotherBackendAndTheClientSeesOnlyTheLastAnswer() {
        try (Harness h = twoBackends(p -> p.retries(Retries.of(2)))) {
            FakeTransport c = h.client();
            c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
            FakeTransport first = h.upstream(A);
            first.send("HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy");
            FakeTransport second = h.upstream(B);
            assertTrue(second.take().startsWith("GET /x HTTP/1.1"), "sent again, to the other backend");
            second.send(OK);
            h.settle();
            String response = c.take();
            assertEquals(200, status(response), response);
            assertTrue(first.isClosed(), "the retried answer's connection is dropped unread");
            assertEquals(1, h.proxy.stats().retries());
        }
    }

    @Test
    void aPostWithItsBodyHeldIsRetriedAndOneStreamedIsNot() {
        try (Harness h = twoBackends(p -> p.retries(Retries.of(2)))) {
            FakeTransport c = h.client();
            c.send("POST /small HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
            h.upstream(A).send("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n");
            FakeTransport second = h.upstream(B);
            assertTrue(second.take().endsWith("\r\n\r\nhello"), "the held body is sent again whole");
            second.send(OK);
            h.settle();
            assertEquals(200, status(c.take()));
            FakeTransport streamed = h.client();
            streamed.send("POST /big HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            h.settle();
            FakeTransport u = h.pendingUpstreams(A) > 0 ? h.upstream(A) : h.upstream(B);
            u.send("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n");
            h.settle();
            assertEquals(503, status(streamed.take()), "a streamed body cannot be sent again: the answer goes through");
        }
    }

    @Test
    void aGetOnAPooledConnectionTheBackendClosedIsSentAgainAtOnceOnANewOne() {
        try (Harness h = new Harness(lb -> lb.pool("app", p -> p.backend(A)), b -> b.pool("app"))) {
            FakeTransport c = h.client();
            c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
            FakeTransport pooled = h.upstream(A);
            pooled.send(OK);
            h.settle();
            assertEquals(200, status(c.take()));
            c.send("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
            h.settle();
            assertTrue(pooled.take().contains("GET /2 "), "the pooled connection was reused");
            pooled.finish(); // the backend had closed it: it answers nothing
            FakeTransport fresh = h.upstream(A);
            assertTrue(fresh.take().startsWith("GET /2 "), "sent again at once, not after the response timeout");
            fresh.send(OK);
            h.settle();
            assertEquals(200, status(c.take()));
        }
    }

    @Test
    void aPostOnAPooledConnectionTheBackendResetGets502AtOnce() {
        try (Harness h = new Harness(lb -> lb.pool("app", p -> p.backend(A)), b -> b.pool("app"))) {
            FakeTransport c = h.client();
            c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
            FakeTransport pooled = h.upstream(A);
            pooled.send(OK);
            h.settle();
            c.take();
            c.send("POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
            h.settle();
            pooled.reset();
            h.settle();
            String response = c.take();
            assertEquals(502, status(response), response);
            assertEquals(0, h.pendingUpstreams(A), "not sent again: it is not safe to repeat");
        }
    }

    @Test
    void theBreakersQueueHoldsARequestUntilABackendFreesUpOrItsTimeoutPasses() {
        try (Harness h = new Harness(lb -> lb.pool("app", p -> p.backend(A)), b -> b.routes(r -> r.any()
                .policies(p -> p.circuitBreaker(CircuitBreaker.maxRequestsPerBackend(1).withQueue(1, Duration.ofSeconds(1))))
                .to("app")))) {
            FakeTransport first = h.client();
            first.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
            FakeTransport u = h.upstream(A);
            FakeTransport queued = h.client();
            queued.send("GET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
            FakeTransport overflow = h.client();
            overflow.send("GET /3 HTTP/1.1\r\nHost: a\r\n\r\n");
            h.settle();
            assertEquals(503, status(overflow.take()), "the queue holds one");
            assertEquals("", queued.written(), "the second waits");
            u.take();
            u.send(OK);
            h.settle();
            assertEquals(200, status(first.take()));
            assertTrue(u.take().startsWith("GET /2 "), "the waiting request went, on the freed connection");
            FakeTransport late = h.client();
            late.send("GET /4 HTTP/1.1\r\nHost: a\r\n\r\n");
            h.settle();
            assertEquals("", late.written());
            h.advance(Duration.ofMillis(1001));
            String timedOut = late.take();
            assertEquals(503, status(timedOut), timedOut);
            assertTrue(timedOut.contains("freed up in time"), timedOut);
        }
    }

    @Test
    void aConnectFailureTriesTheNextBackendAndTheLastGives502() {
        try (Harness h = new Harness(lb -> lb.pool("app", p -> p.selector("round-robin").backends(A, B)
                .outlierDetection(io.jlb.core.OutlierDetection.disabled())), b -> b.pool("app").connectAttempts(2))) {
            h.slowConnect(A);
            h.slowConnect(B);
            FakeTransport c = h.client();
            c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
            h.upstream(A).refuse();
            h.upstream(B).refuse();
            h.settle();
            String response = c.take();
            assertEquals(502, status(response), response);
            assertEquals(2, h.proxy.stats().connectFailures());
        }
    }

    @Test
    void aBackendThatSwitchesProtocolsUnaskedOrSendsGarbageGets502() {
        try (Harness h = new Harness(lb -> lb.pool("app", p -> p.backend(A)), b -> b.pool("app"))) {
            FakeTransport c = h.client();
            c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
            h.upstream(A).send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: upgrade\r\n\r\n");
            h.settle();
            assertEquals(502, status(c.take()));
            FakeTransport d = h.client();
            d.send("GET /y HTTP/1.1\r\nHost: a\r\n\r\n");
            h.upstream(A).send("SSH-2.0-OpenSSH\r\n\r\n");
            h.settle();
            String response = d.take();
            assertEquals(502, status(response), response);
            assertFalse(response.contains("SSH"), "nothing of it reaches the client");
        }
    }
}
