package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.Backend;
import io.jlb.core.LoadBalancer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Header rules, request ids and security headers, both ways through the running proxy. */
@Timeout(60)
class HeaderPoliciesIT {
    private RawHttpBackend backend;
    private LoadBalancer lb;
    private HttpProxy proxy;

    @BeforeEach
    void start() throws Exception {
        backend = new RawHttpBackend("app", (req, socket, out) -> {
            RawHttpBackend.respond(out, 200, "ok", "X-Powered-By: php/5", "X-Frame-Options: SAMEORIGIN",
                    "X-Request-Id: from-backend", "Server: app", "Vary: Cookie");
            return true;
        });
        lb = LoadBalancer.builder().pool("app", p -> p.backend(Backend.parse(backend.hostPort()).withName("app-1"))).build();
        proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1).trustedProxies("127.0.0.1")
                .policies(p -> p.requestId().securityHeaders(SecurityHeaders.recommended()
                        .withContentSecurityPolicy("default-src 'self'")))
                .routes(r -> r
                        .pathPrefix("/rules/").policies(p -> p
                                .requestHeaders(h -> h.set("X-Env", "prod").add("X-Client", "{client_ip} {method} {path}")
                                        .remove("X-Debug").set("X-Trace", "{request_id}"))
                                .responseHeaders(h -> h.remove("X-Powered-By").set("Server", "jlb")
                                        .add("X-Served-By", "{backend} for {host}")))
                        .to("app")
                        .pathPrefix("/strict/").policies(p -> p.securityHeaders(SecurityHeaders.recommended().overriding(true)))
                        .to("app")
                        .path("/local").respond(200, "here\n")
                        .path("/local-rules").policies(p -> p.responseHeaders(h -> h.set("Server", "jlb")
                                .add("X-Answered-For", "{host}"))).respond(200, "here\n")
                        .defaultTo("app"))
                .build().start();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        lb.close();
        backend.close();
    }

    @Test
    void requestAndResponseRulesApplyAsConfigured() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /rules/x?y=1 HTTP/1.1\r\nHost: shop.example\r\nX-Env: dev\r\nX-Debug: 1\r\nX-Debug: 2\r\n"
                    + "X-Keep: yes\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            RawHttpBackend.Request seen = backend.requests().get(0);
            assertEquals(List.of("prod"), seen.headers("x-env"), "set replaces");
            assertEquals(List.of(), seen.headers("x-debug"), "remove drops every field of the name");
            assertEquals("yes", seen.header("x-keep"), "others pass");
            assertEquals("127.0.0.1 GET /rules/x", seen.header("x-client"), "templates read the request");
            String id = seen.header("x-request-id");
            assertTrue(id != null && id.matches("[0-9a-f]{32}"), "a request id is made: " + id);
            assertEquals(id, seen.header("x-trace"));
            assertNull(r.header("x-powered-by"));
            assertEquals("jlb", r.header("server"));
            assertEquals("app-1 for shop.example", r.header("x-served-by"));
            assertEquals(id, r.header("x-request-id"), "the client gets the id the backend saw, not the backend's own");
        }
    }

    @Test
    void aValidRequestIdFromATrustedProxyPassesAndAnInvalidOneIsReplaced() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: abc-123.def\r\n\r\n");
            assertEquals("abc-123.def", c.read().header("x-request-id"));
            assertEquals("abc-123.def", backend.requests().get(0).header("x-request-id"));
            c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: bad id; <script>\r\n\r\n");
            String replaced = c.read().header("x-request-id");
            assertTrue(replaced.matches("[0-9a-f]{32}"), replaced);
            assertEquals(List.of(replaced), backend.requests().get(1).headers("x-request-id"));
            c.send("GET /local HTTP/1.1\r\nHost: a\r\n\r\n");
            assertTrue(c.read().header("x-request-id").matches("[0-9a-f]{32}"), "answers of the proxy carry one too");
            c.send("GET /nowhere-but-default HTTP/1.1\r\nHost: a\r\nX-Request-Id: r1\r\n\r\n");
            RawClient.Response r = c.read();
            assertNotEquals("from-backend", r.header("x-request-id"));
        }
    }

    @Test
    void securityHeadersFillGapsAndOverrideOnlyWhenToldTo() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /plain HTTP/1.1\r\nHost: a\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals("nosniff", r.header("x-content-type-options"));
            assertEquals("SAMEORIGIN", r.header("x-frame-options"), "the backend's choice is kept");
            assertEquals("strict-origin-when-cross-origin", r.header("referrer-policy"));
            assertEquals("default-src 'self'", r.header("content-security-policy"));
            assertNull(r.header("strict-transport-security"), "HSTS is for HTTPS listeners");
            c.send("GET /strict/x HTTP/1.1\r\nHost: a\r\n\r\n");
            RawClient.Response strict = c.read();
            assertEquals("DENY", strict.header("x-frame-options"), "overridden");
            assertNull(strict.header("content-security-policy"), "the route's own preset replaces the listener's");
        }
    }

    @Test
    void theProxysOwnAnswersCarryTheResponsePoliciesToo() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /local HTTP/1.1\r\nHost: a\r\n\r\n");
            RawClient.Response local = c.read();
            assertEquals("nosniff", local.header("x-content-type-options"), "the listener's preset on a handler's reply");
            assertEquals("default-src 'self'", local.header("content-security-policy"));
            assertTrue(local.header("x-request-id").matches("[0-9a-f]{32}"));
            c.send("GET /local-rules HTTP/1.1\r\nHost: shop.example\r\n\r\n");
            RawClient.Response ruled = c.read();
            assertEquals("jlb", ruled.header("server"));
            assertEquals("shop.example", ruled.header("x-answered-for"));
            c.send("GET /a path with spaces HTTP/1.1\r\nHost: a\r\n\r\n");
            RawClient.Response bad = c.read();
            assertEquals(400, bad.status());
            assertEquals("nosniff", bad.header("x-content-type-options"), "and on the proxy's errors");
            assertNull(bad.header("x-request-id"), "nothing of the previous exchange lingers");
        }
    }

    @Test
    void badRulesAreRefusedWhenBuilt() {
        assertThrows(IllegalArgumentException.class, () -> HeaderRules.builder().set("Content-Length", "1"));
        assertThrows(IllegalArgumentException.class, () -> HeaderRules.builder().add("X-A", "{nope}"));
        assertThrows(IllegalArgumentException.class, () -> HeaderRules.builder().add("Bad Name", "x"));
        assertThrows(IllegalArgumentException.class, () -> HeaderRules.builder().add("X-A", "line\nbreak"));
        assertFalse(HeaderRules.builder().remove("X-A").build().isEmpty());
    }
}
