package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.SelectionKey;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Body framing through the exchange, without sockets: what the proxy writes on each side is its own framing, for
 * every kind the other side used, with backpressure both ways.
 */
class Http1FramingTest {
    private static final String B = "10.0.0.1:80";
    private final Harness h = new Harness(lb -> lb.pool("app", p -> p.backend(B)), b -> b.pool("app"));

    @AfterEach
    void close() {
        h.close();
    }

    private static String bodyOf(String message) {
        return message.substring(message.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void aChunkedRequestIsReframedAndAChunkedResponseToo() {
        FakeTransport c = h.client();
        c.send("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n00A\r\n0123456789"
                + "\r\n0\r\nX-Sum: 7\r\n\r\n");
        FakeTransport u = h.upstream(B);
        h.settle();
        String request = u.take();
        assertTrue(request.contains("\r\nTransfer-Encoding: chunked\r\n"), request);
        assertEquals("5\r\nhello\r\na\r\n0123456789\r\n0\r\nX-Sum: 7\r\n\r\n", bodyOf(request));
        u.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3 ; q=\"v\"\r\nabc\r\n0\r\n\r\n");
        h.settle();
        String response = c.take();
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
        assertEquals("3\r\nabc\r\n0\r\n\r\n", bodyOf(response));
        assertFalse(c.isClosed(), "keep-alive");
    }

    @Test
    void aChunkedResponseToAnHttp10ClientLosesItsFramingAndEndsWithTheConnection() {
        FakeTransport c = h.client();
        c.send("GET /old HTTP/1.0\r\n\r\n");
        FakeTransport u = h.upstream(B);
        h.settle();
        assertTrue(u.take().startsWith("GET /old HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"), "HTTP/1.0 gets the listener's Host");
        u.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5\r\npedia\r\n0\r\n\r\n");
        h.settle();
        String response = c.take();
        assertFalse(response.contains("Transfer-Encoding"), response);
        assertTrue(response.contains("Connection: close"), response);
        assertEquals("wikipedia", bodyOf(response));
        assertTrue(c.isClosed(), "the end of the connection ends the body");
    }

    @Test
    void aLengthDelimitedResponseKeepsItsLengthWrittenByTheProxy() {
        FakeTransport c = h.client();
        c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        FakeTransport u = h.upstream(B);
        u.send("HTTP/1.1 200 OK\r\nConnection: Content-Length\r\nContent-Length: 5\r\n\r\nhello");
        h.settle();
        String response = c.take();
        assertTrue(response.contains("\r\nContent-Length: 5\r\n"), response);
        assertEquals("hello", bodyOf(response));
    }

    @Test
    void aResponseEndedByTheBackendsCloseIsChunkedForAnHttp11ClientThatStaysConnected() {
        FakeTransport c = h.client();
        c.send("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
        FakeTransport u = h.upstream(B);
        u.send("HTTP/1.1 200 OK\r\n\r\npart one ");
        h.settle();
        u.send("and two");
        u.finish();
        h.settle();
        String response = c.take();
        assertTrue(response.contains("Transfer-Encoding: chunked"), response);
        assertEquals("9\r\npart one \r\n7\r\nand two\r\n0\r\n\r\n", bodyOf(response));
        assertFalse(c.isClosed(), "the client's connection outlives the backend's");
        assertTrue(u.isClosed(), "the backend's is not reused: its close ended the body");
    }

    @Test
    void aSlowBackendStopsTheClientBeingReadAndAFastOneResumesIt() {
        FakeTransport c = h.client();
        byte[] body = new byte[300_000];
        Arrays.fill(body, (byte) 'x');
        FakeTransport u = null;
        c.send("PUT /big HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n");
        u = h.upstream(B);
        u.window(0); // the backend takes nothing
        c.send(body);
        h.settle();
        assertEquals(0, c.interest() & SelectionKey.OP_READ, "no reading ahead of a full backend");
        u.window(Long.MAX_VALUE);
        h.settle();
        String request = u.take();
        assertEquals(body.length, bodyOf(request).length(), "every byte arrived once the backend took them");
        u.send("HTTP/1.1 204 No Content\r\n\r\n");
        h.settle();
        assertTrue(c.take().startsWith("HTTP/1.1 204 No Content\r\n"));
    }

    @Test
    void aSlowClientStopsTheBackendBeingReadAndAFastOneResumesIt() {
        FakeTransport c = h.client();
        c.window(10); // the client takes ten bytes, then nothing
        c.send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
        FakeTransport u = h.upstream(B);
        u.send("HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n");
        u.send(new byte[200_000]);
        h.settle();
        assertEquals(0, u.interest() & SelectionKey.OP_READ, "no reading ahead of a full client");
        assertEquals(10, c.written().length());
        c.window(Long.MAX_VALUE);
        h.settle();
        assertEquals(200_000, bodyOf(c.take()).length());
    }

    @Test
    void aMalformedChunkFromTheBackendCutsTheResponse() {
        FakeTransport c = h.client();
        c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        FakeTransport u = h.upstream(B);
        u.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n");
        h.settle();
        assertTrue(c.closedAbortively(), "a response begun and broken: the client is cut");
        assertTrue(u.isClosed());
    }
}
