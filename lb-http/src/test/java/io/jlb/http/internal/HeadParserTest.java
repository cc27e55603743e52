package io.jlb.http.internal;

import static io.jlb.http.internal.HeadParser.Result.COMPLETE;
import static io.jlb.http.internal.HeadParser.Result.ERROR;
import static io.jlb.http.internal.HeadParser.Result.NEED_MORE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class HeadParserTest {
    private final HeadParser requests = Heads.parser(true);
    private final HeadParser responses = Heads.parser(false);

    private void assertRejected(int status, String request) {
        assertEquals(ERROR, Heads.parse(requests, request), request);
        assertEquals(status, requests.errorStatus(), () -> request + " -> " + requests.errorReason());
    }

    @Test
    void parsesATypicalRequest() {
        String text = "GET /api/v1/users?id=7&x=y HTTP/1.1\r\nHost: Api.Example.com:8080\r\nUser-Agent: curl/8\r\n"
                + "Accept: */*\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n\r\nbody";
        assertEquals(COMPLETE, Heads.parse(requests, text));
        HttpHead h = requests.head();
        assertEquals(HttpHead.Method.GET, h.method());
        assertEquals("/api/v1/users?id=7&x=y", h.target());
        assertEquals("/api/v1/users", h.path());
        assertEquals("id=7&x=y", h.query());
        assertEquals("api.example.com:8080", h.host());
        assertEquals(1, h.minorVersion());
        assertEquals(5, h.headerCount());
        assertEquals("curl/8", h.header("user-agent"));
        assertEquals(text.indexOf("body"), h.end());
        assertTrue(h.hopByHop(3), "Connection");
        assertTrue(h.hopByHop(4), "a field named by Connection");
        assertFalse(h.hopByHop(1));
        assertTrue(h.keepAlive());
        assertEquals(-1, h.contentLength());
    }

    @Test
    void parsesResponsesWithTheirFraming() {
        assertEquals(COMPLETE, Heads.parse(responses, "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n"));
        assertEquals(200, responses.head().status());
        assertEquals(12, responses.head().contentLength());
        assertEquals(COMPLETE, Heads.parse(responses, "HTTP/1.1 204\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"));
        assertTrue(responses.head().chunked());
        assertEquals("", responses.head().reason());
        assertEquals(COMPLETE, Heads.parse(responses, "HTTP/1.0 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"));
        assertFalse(responses.head().chunked(), "not ending in chunked: delimited by close");
        assertEquals(ERROR, Heads.parse(responses, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"));
        assertEquals(502, responses.errorStatus());
    }

    @Test
    void resumesAtAnyByte() {
        String text = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc";
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(100);
        requests.begin(b, 0);
        for (int i = 0; i < text.indexOf("abc") - 1; i++) {
            b.put((byte) text.charAt(i));
            assertEquals(NEED_MORE, requests.parse(b.position()), "after " + (i + 1) + " bytes");
        }
        b.put((byte) '\n');
        assertEquals(COMPLETE, requests.parse(b.position()));
        assertEquals(3, requests.head().contentLength());
    }

    @Test
    void acceptsHttp10AndLeadingEmptyLinesAndAsteriskForOptions() {
        assertEquals(COMPLETE, Heads.parse(requests, "\r\n\r\nGET / HTTP/1.0\r\n\r\n"));
        assertEquals(0, requests.head().minorVersion());
        assertFalse(requests.head().keepAlive());
        assertEquals(COMPLETE, Heads.parse(requests, "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
        assertTrue(requests.head().keepAlive());
        assertEquals(COMPLETE, Heads.parse(requests, "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertEquals(COMPLETE, Heads.parse(requests, "GET http://Example.org/p?q HTTP/1.1\r\nHost: other\r\n\r\n"));
        assertEquals("example.org", requests.head().host(), "absolute form wins over Host");
        assertEquals("/p", requests.head().path());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "400|'GET /  HTTP/1.1\r\nHost: a\r\n\r\n'",
        "400|'GET / HTTP/1.1\nHost: a\r\n\r\n'",
        "400|'GET / HTTP/1.1\r\nHost: a\n\r\n'",
        "400|'GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n'",
        "400|'GET / HTTP/1.1\r\nHost : a\r\n\r\n'",
        "400|'GET / HTTP/1.1\r\nHost\t: a\r\n\r\n'",
        "400|'GET / HTTP/1.1\r\nHost: a\r\nX-Folded: a\r\n b\r\n\r\n'",
        "400|'GET / HTTP/1.1\r\nHost: a\r\nX(bad): a\r\n\r\n'",
        "400|'GET / HTTP/1.1\r\n\r\n'",
        "400|'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'",
        "400|'GET / HTTP/1.1\r\nHost: a b\r\n\r\n'",
        "400|'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n'",
        "400|'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n'",
        "400|'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n'",
        "400|'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n'",
        "400|'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n'",
        "400|'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n'",
        "400|'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n'",
        "400|'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n'",
        "400|'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n'",
        "400|'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chu nked\r\n\r\n'",
        "400|'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \u000bchunked\r\n\r\n'",
        "400|'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked,\r\n\r\n'",
        "400|'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n'",
        "501|'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'",
        "505|'GET / HTTP/2.0\r\nHost: a\r\n\r\n'",
        "505|'GET / HTTP/0.9\r\n\r\n'",
        "400|'GET / http/1.1\r\nHost: a\r\n\r\n'",
        "400|'GET / HTTP/1.1 \r\nHost: a\r\n\r\n'",
        "400|'GET /a\u0080 HTTP/1.1\r\nHost: a\r\n\r\n'",
        "400|'GET a/b HTTP/1.1\r\nHost: a\r\n\r\n'",
        "400|'G@T / HTTP/1.1\r\nHost: a\r\n\r\n'",
        "400|' GET / HTTP/1.1\r\nHost: a\r\n\r\n'",
        "417|'PUT / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n'",
    })
    void rejectsWithAPreciseStatus(int status, String request) {
        assertRejected(status, request);
    }

    @Test
    void rejectsControlCharactersInValues() {
        for (char c = 0; c < 0x20; c++) {
            if (c != '\t') {
                assertRejected(400, "GET / HTTP/1.1\r\nHost: a\r\nX: a" + c + "b\r\n\r\n");
            }
        }
        assertRejected(400, "GET / HTTP/1.1\r\nHost: a\r\nX: a\u007fb\r\n\r\n");
        assertEquals(COMPLETE, Heads.parse(requests, "GET / HTTP/1.1\r\nHost: a\r\nX: tab\there \u00e9\r\n\r\n"),
                "HTAB and obs-text are allowed");
    }

    @Test
    void limitsAreChargedAsBytesArrive() {
        HeadParser small = new HeadParser(true, 64, 256, 4);
        assertEquals(ERROR, Heads.parse(small, "GET /" + "a".repeat(100)));
        assertEquals(414, small.errorStatus(), "no need to wait for the end of an overlong line");
        assertEquals(ERROR, Heads.parse(small, "GET / HTTP/1.1\r\nHost: a\r\nX: " + "b".repeat(300)));
        assertEquals(431, small.errorStatus());
        assertEquals(ERROR, Heads.parse(small, "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\n\r\n"));
        assertEquals(431, small.errorStatus());
        assertEquals(ERROR, Heads.parse(small, "\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    }

    @Test
    void identicalContentLengthsAreOne() {
        assertEquals(COMPLETE, Heads.parse(requests, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\nContent-Length: 7, 7\r\n\r\n"));
        assertEquals(7, requests.head().contentLength());
    }

    @Test
    void upgradeAndExpectAreRecognised() {
        assertEquals(COMPLETE, Heads.parse(requests, "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\n"
                + "Upgrade: websocket\r\nExpect: 100-Continue\r\n\r\n"));
        assertTrue(requests.head().upgradeRequested());
        assertTrue(requests.head().expectContinue());
        assertNull(requests.head().query());
    }

    @Test
    void theSameParserParsesOneMessageAfterAnother() {
        java.nio.ByteBuffer b = Heads.bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: b\r\n\r\n");
        requests.begin(b, 0);
        assertEquals(COMPLETE, requests.parse(b.position()));
        int next = requests.head().end();
        requests.begin(b, next);
        assertEquals(COMPLETE, requests.parse(b.position()));
        assertEquals("/2", requests.head().path());
        assertEquals("b", requests.head().host());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"content-length", "Transfer-Encoding", "host", "te",
        "x-forwarded-for", "forwarded", "via", "x-real-ip", "upgrade", "connection"})
    void aConnectionOptionCannotNameAFieldTheProxyManages(String name) {
        String text = "POST / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, " + name + "\r\nX-Forwarded-For: 1.2.3.4\r\n"
                + "Forwarded: for=x\r\nVia: 1.0 x\r\nX-Real-IP: 1.2.3.4\r\nContent-Length: 3\r\n\r\nabc";
        assertEquals(COMPLETE, Heads.parse(requests, text));
        HttpHead h = requests.head();
        assertEquals(3, h.contentLength(), "framing stays");
        for (int i = 0; i < h.headerCount(); i++) {
            String n = h.name(i).toLowerCase();
            if (n.startsWith("x-forwarded") || n.equals("forwarded") || n.equals("via") || n.equals("x-real-ip")) {
                assertFalse(h.hopByHop(i), n + " is the proxy's to merge or replace, not the client's to remove");
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"adm%69n.internal", "a b", "user@host", "[::1", "[zz]",
        "host:80x", "host:123456", ".leading.dot", ""})
    void rejectsAuthoritiesThatCouldBeReadTwoWays(String host) {
        assertRejected(400, "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    }

    @Test
    void normalizesTheAuthorityAsItIsForwarded() {
        assertEquals(COMPLETE, Heads.parse(requests, "GET / HTTP/1.1\r\nHost: Example.COM.:8080\r\n\r\n"));
        assertEquals("example.com:8080", requests.head().host());
        assertEquals(COMPLETE, Heads.parse(requests, "GET http://A.example./x HTTP/1.1\r\nHost: b\r\n\r\n"));
        assertEquals("a.example", requests.head().host());
        assertEquals(COMPLETE, Heads.parse(requests, "GET / HTTP/1.1\r\nHost: [2001:DB8::1]:443\r\n\r\n"));
        assertEquals("[2001:db8::1]:443", requests.head().host());
        assertRejected(400, "GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n");
    }
}
