package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import io.jlb.core.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a hostile client can make the proxy forward (security issue items 1 to 4), checked on the exact bytes a
 * backend receives: the framing, the Host and the upgrade the proxy sends are its own, so no byte a client sends can
 * become a second request, a missing Host, a raw tunnel or a request for a host the route did not see.
 */
@Timeout(60)
class DesyncIT {
    private static final String HIDDEN = "GET /admin/secret HTTP/1.1\r\nHost: admin.internal\r\n\r\n";

    private static RawHttpBackend backend;
    private static RawHttpBackend switcher;
    private static LoadBalancer lb;
    private static HttpProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = RawHttpBackend.named("app");
        switcher = new RawHttpBackend("switcher", (req, socket, out) -> {
            // A backend that switches protocols whatever it was asked: the proxy must not follow it.
            out.write(("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: "
                    + (req.header("upgrade") == null ? "h2c" : req.header("upgrade")) + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.getInputStream().transferTo(out); // a raw tunnel: echoes whatever comes
            return false;
        });
        lb = LoadBalancer.builder().pool("app", p -> p.backend(backend.hostPort()))
                .pool("switcher", p -> p.backend(switcher.hostPort())).build();
        Authentication keys = Authentication.apiKeys().key("ops", "ops-key-0123456789").build();
        proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1)
                .routes(r -> r
                        .host("admin.internal").policies(p -> p.authentication(keys)).to("app")
                        .pathPrefix("/switch/").to("switcher")
                        .pathPrefix("/custom/").policies(p -> p.upgrades("websocket", "x-custom")).to("switcher")
                        .defaultTo("app"))
                .build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        lb.close();
        backend.close();
        switcher.close();
    }

    private static RawHttpBackend.Request lastRequestTo(RawHttpBackend b, String target) {
        List<RawHttpBackend.Request> seen = b.requests();
        for (int i = seen.size() - 1; i >= 0; i--) {
            if (seen.get(i).target().equals(target)) {
                return seen.get(i);
            }
        }
        throw new AssertionError("no request for " + target + " among " + seen.stream().map(RawHttpBackend.Request::target).toList());
    }

    private static void assertNothingHidden() {
        assertTrue(backend.requests().stream().noneMatch(r -> r.target().startsWith("/admin")),
                "a request no route saw reached the backend");
    }

    // ---- item 1: Connection options may not remove framing or routing fields ----

    @Test
    void item1_aConnectionOptionNamingContentLengthDoesNotUnframeTheBody() throws Exception {
        try (RawClient attacker = new RawClient(proxy.address()); RawClient victim = new RawClient(proxy.address())) {
            attacker.send("POST /public/form HTTP/1.1\r\nHost: public.example\r\nConnection: Content-Length\r\n"
                    + "Content-Length: " + HIDDEN.length() + "\r\n\r\n" + HIDDEN);
            assertEquals(200, attacker.read().status());
            victim.send("GET /public/victim HTTP/1.1\r\nHost: public.example\r\n\r\n");
            RawClient.Response mine = victim.read();
            assertEquals("app GET /public/victim", mine.text(), "the second client gets its own answer");
        }
        RawHttpBackend.Request form = lastRequestTo(backend, "/public/form");
        assertEquals(String.valueOf(HIDDEN.length()), form.header("content-length"), "the proxy frames what it forwards");
        assertEquals(HIDDEN, new String(form.body(), StandardCharsets.ISO_8859_1), "the body stays a body");
        assertNothingHidden();
    }

    @Test
    void item1_aConnectionOptionNamingHostOrTransferEncodingIsIgnored() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /public/host HTTP/1.1\r\nHost: public.example\r\nConnection: close, Host\r\n\r\n");
            assertEquals(200, c.read().status());
        }
        assertEquals("public.example", lastRequestTo(backend, "/public/host").header("host"));
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("POST /public/te HTTP/1.1\r\nHost: public.example\r\nConnection: Transfer-Encoding\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            assertEquals(200, c.read().status());
        }
        RawHttpBackend.Request te = lastRequestTo(backend, "/public/te");
        assertEquals("chunked", te.header("transfer-encoding"));
        assertEquals("hello", new String(te.body(), StandardCharsets.ISO_8859_1));
    }

    // ---- item 2: chunk framing is the proxy's own ----

    @Test
    void item2_chunkFramingIsRewrittenExtensionsDroppedTrailersKept() throws Exception {
        int before = backend.connections();
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("POST /public/chunks HTTP/1.1\r\nHost: public.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;name=\"quoted value\"\r\nhello\r\n0006 ; x=y\r\n world\r\nA\r\n0123456789\r\n"
                    + "0\r\nX-Checksum:   abc \r\nContent-Length: 99\r\n\r\n");
            assertEquals(200, c.read().status());
        }
        Await.until(Duration.ofSeconds(5), "the request recorded", () -> backend.requests().stream()
                .anyMatch(r -> r.target().equals("/public/chunks")));
        String raw = rawOf(lastRequestTo(backend, "/public/chunks").connection());
        String body = raw.substring(raw.indexOf("POST /public/chunks"));
        body = body.substring(body.indexOf("\r\n\r\n") + 4);
        assertEquals("5\r\nhello\r\n6\r\n world\r\na\r\n0123456789\r\n0\r\nX-Checksum: abc\r\n\r\n", body,
                "sizes in the proxy's own hex, no extensions, a trailer that frames nothing kept, Content-Length dropped");
        assertTrue(backend.connections() >= before);
    }

    @Test
    void item2_whitespaceAfterAChunkSizeIsRefusedAndTheConnectionClosed() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("POST /public/ws HTTP/1.1\r\nHost: public.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5 \r\nhello\r\n0\r\n\r\nGET /public/after HTTP/1.1\r\nHost: public.example\r\n\r\n");
            assertEquals(400, c.read().status());
            assertTrue(c.closedByPeer(), "no request is read after a framing error");
        }
        Await.until(Duration.ofSeconds(5), "proxy idle", () -> proxy.stats().activeConnections() == 0);
        assertTrue(backend.requests().stream().noneMatch(r -> r.target().equals("/public/after")));
    }

    @Test
    void item2_aFramingErrorAfterTheResponseBeganStillEndsTheConnection() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /public/first HTTP/1.1\r\nHost: public.example\r\n\r\n");
            assertEquals(200, c.read().status());
            c.send("POST /public/bad HTTP/1.1\r\nHost: public.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabcX\r\n0\r\n\r\nGET /public/smuggled HTTP/1.1\r\nHost: public.example\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(400, r.status());
            assertTrue(c.closedByPeer());
        }
        Await.until(Duration.ofSeconds(5), "proxy idle", () -> proxy.stats().activeConnections() == 0);
        assertTrue(backend.requests().stream().noneMatch(r -> r.target().equals("/public/smuggled")));
    }

    // ---- item 3: no h2c, only the upgrades a route allows ----

    @Test
    void item3_anH2cUpgradeIsNeverForwardedNorTunnelled() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /public/h2c HTTP/1.1\r\nHost: public.example\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
            assertEquals(200, c.read().status(), "answered as a plain request");
            c.send("GET /public/after-h2c HTTP/1.1\r\nHost: public.example\r\n\r\n");
            assertEquals("app GET /public/after-h2c", c.read().text(), "the connection still speaks HTTP/1.1");
        }
        RawHttpBackend.Request seen = lastRequestTo(backend, "/public/h2c");
        assertNull(seen.header("upgrade"));
        assertNull(seen.header("http2-settings"));
        assertFalse(seen.headers("connection").stream().anyMatch(v -> v.toLowerCase().contains("upgrade")));
    }

    @Test
    void item3_aBackendSwitchingProtocolsUnaskedGets502NotATunnel() throws Exception {
        long upgradesBefore = proxy.stats().upgrades();
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /switch/x HTTP/1.1\r\nHost: public.example\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
            assertEquals(502, c.read().status());
            assertTrue(c.closedByPeer());
        }
        assertEquals(upgradesBefore, proxy.stats().upgrades(), "no tunnel was made");
        assertNull(lastRequestTo(switcher, "/switch/x").header("upgrade"), "h2c was not offered to the backend");
    }

    @Test
    void item3_onlyTheAllowedProtocolsOfAMixedUpgradeAreOfferedAndTheSwitchMustBeToOneOfThem() throws Exception {
        long upgradesBefore = proxy.stats().upgrades();
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /custom/mixed HTTP/1.1\r\nHost: public.example\r\nConnection: Upgrade\r\n"
                    + "Upgrade: h2c, x-custom/2, other\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(101, r.status());
            assertEquals("x-custom/2", r.header("upgrade"));
            c.send("ping through the tunnel");
            byte[] echoed = c.socket.getInputStream().readNBytes("ping through the tunnel".length());
            assertEquals("ping through the tunnel", new String(echoed, StandardCharsets.ISO_8859_1));
        }
        assertEquals("x-custom/2", lastRequestTo(switcher, "/custom/mixed").header("upgrade"));
        assertEquals(upgradesBefore + 1, proxy.stats().upgrades());
    }

    // ---- item 4: the authority the route saw is the Host the backend gets ----

    @Test
    void item4_anAbsoluteFormTargetsAuthorityReplacesTheHostField() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET http://public.example/abs HTTP/1.1\r\nHost: admin.internal\r\n\r\n");
            assertEquals(200, c.read().status());
        }
        RawHttpBackend.Request seen = lastRequestTo(backend, "/abs");
        assertEquals("public.example", seen.header("host"), "the backend acts on the host the route saw");
        assertEquals(List.of("public.example"), seen.headers("host"));
    }

    @Test
    void item4_aTrailingDotOrCaseCannotMissAnExactHostRoute() throws Exception {
        for (String host : List.of("admin.internal.", "ADMIN.Internal", "admin.internal.:80")) {
            try (RawClient c = new RawClient(proxy.address())) {
                c.send("GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
                assertEquals(401, c.read().status(), host + " takes the admin.internal route");
            }
        }
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /dot HTTP/1.1\r\nHost: Public.Example.\r\nX-API-Key: nope\r\n\r\n");
            assertEquals(200, c.read().status());
        }
        assertEquals("public.example", lastRequestTo(backend, "/dot").header("host"), "forwarded as routed");
    }

    @Test
    void item4_aPercentEncodedOrUserInfoAuthorityIsRefused() throws Exception {
        for (String request : List.of("GET /x HTTP/1.1\r\nHost: adm%69n.internal\r\n\r\n",
                "GET http://admin.internal@public.example/x HTTP/1.1\r\nHost: public.example\r\n\r\n",
                "GET http://adm%69n.internal/x HTTP/1.1\r\nHost: public.example\r\n\r\n")) {
            try (RawClient c = new RawClient(proxy.address())) {
                c.send(request);
                assertEquals(400, c.read().status(), request);
            }
        }
        assertNothingHidden();
    }

    private static String rawOf(int connection) {
        return backend.rawReceived(connection);
    }
}
