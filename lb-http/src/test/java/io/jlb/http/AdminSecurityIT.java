package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.Backend;
import io.jlb.core.LoadBalancer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener against a web page (security issue item 11): a page a user opens cannot drain or add backends
 * through the browser (cross-site requests, DNS rebinding), cannot frame the status page, and the listener refuses
 * to listen beyond loopback without a token unless told that is meant.
 */
@Timeout(180)
class AdminSecurityIT {
    @TempDir
    Path scratch;

    private RawHttpBackend a;
    private LoadBalancer lb;
    private AdminServer admin;

    @BeforeEach
    void start() throws Exception {
        a = RawHttpBackend.named("a");
        lb = LoadBalancer.builder().pool("app", p -> p.backend(Backend.parse(a.hostPort()).withName("a"))).build();
        admin = AdminServer.builder().listen("127.0.0.1:0").loadBalancer(lb).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        admin.close();
        lb.close();
        a.close();
    }

    private RawClient.Response send(String request) throws Exception {
        try (RawClient c = new RawClient(admin.address())) {
            c.send(request);
            return c.read();
        }
    }

    private String host() {
        return "127.0.0.1:" + admin.address().getPort();
    }

    @Test
    void item11_listeningBeyondLoopbackWithoutATokenIsRefusedUnlessMeant() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AdminServer.builder().listen("0.0.0.0:0").loadBalancer(lb).build());
        assertTrue(e.getMessage().contains("no bearer token"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> AdminServer.builder().listen("*:0").loadBalancer(lb).build());
        AdminServer.builder().listen("0.0.0.0:0").loadBalancer(lb).bearerToken("t").build().close();
        AdminServer.builder().listen("0.0.0.0:0").loadBalancer(lb).insecure(true).build().close();
        AdminServer.builder().listen("localhost:0").loadBalancer(lb).build().close();
    }

    @Test
    void item11_aChangeNeedsAJsonContentType() throws Exception {
        for (String type : new String[] {null, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
            RawClient.Response r = send("POST /admin/pools/app/backends/a/drain HTTP/1.1\r\nHost: " + host() + "\r\n"
                    + (type == null ? "" : "Content-Type: " + type + "\r\n") + "Content-Length: 0\r\n\r\n");
            assertEquals(403, r.status(), String.valueOf(type));
        }
        assertFalse(lb.pool("app").member("a").orElseThrow().draining());
        RawClient.Response json = send("POST /admin/pools/app/backends/a/drain HTTP/1.1\r\nHost: " + host()
                + "\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n");
        assertEquals(200, json.status(), json.text());
        assertTrue(lb.pool("app").member("a").orElseThrow().draining());
    }

    @Test
    void item11_aForeignOriginIsRefused() throws Exception {
        RawClient.Response r = send("POST /admin/pools/app/backends HTTP/1.1\r\nHost: " + host()
                + "\r\nOrigin: http://evil.example\r\nContent-Type: application/json\r\nContent-Length: 29\r\n\r\n"
                + "{\"address\":\"10.9.9.9:80\"}    ");
        assertEquals(403, r.status());
        assertEquals(1, lb.pool("app").members().size());
    }

    @Test
    void item11_aHostNameOtherThanLocalhostIsRefusedWithoutAToken() throws Exception {
        assertEquals(403, send("GET /status HTTP/1.1\r\nHost: rebound.evil.example:" + admin.address().getPort()
                + "\r\n\r\n").status(), "DNS rebinding");
        assertEquals(200, send("GET /status HTTP/1.1\r\nHost: localhost:" + admin.address().getPort() + "\r\n\r\n").status());
        assertEquals(200, send("GET /status HTTP/1.1\r\nHost: " + host() + "\r\n\r\n").status());
    }

    @Test
    void item11_pagesAreNeverFramed() throws Exception {
        RawClient.Response page = send("GET / HTTP/1.1\r\nHost: " + host() + "\r\n\r\n");
        assertEquals(200, page.status());
        assertEquals("DENY", page.header("x-frame-options"));
        assertEquals("frame-ancestors 'none'", page.header("content-security-policy"));
    }

    @Test
    void item11_aPageInABrowserCannotDrainOrAddBackends() throws Exception {
        HeadlessChromium chromium = new HeadlessChromium(scratch);
        String base = "http://127.0.0.1:" + admin.address().getPort();
        String html = "<!doctype html><html><body><p id=out>waiting</p><script>"
                + "const done = [];"
                + "function note(what) { done.push(what); if (done.length === 3) document.getElementById('out').textContent = 'sent ' + done.join(','); }"
                + "fetch('" + base + "/admin/pools/app/backends/a/drain', {method: 'POST', mode: 'no-cors'})"
                + ".then(() => note('drain'), () => note('drain-failed'));"
                + "fetch('" + base + "/admin/pools/app/backends', {method: 'POST', mode: 'no-cors',"
                + " headers: {'Content-Type': 'text/plain'}, body: '{\"address\":\"10.6.6.6:80\",\"name\":\"evil\"}'})"
                + ".then(() => note('add'), () => note('add-failed'));"
                + "fetch('" + base + "/admin/pools/app/backends/a/down', {method: 'POST',"
                + " headers: {'Content-Type': 'application/json'}, body: '{}'})"
                + ".then(() => note('down'), () => note('down-failed'));"
                + "</script></body></html>";
        try (RawHttpBackend attacker = new RawHttpBackend("attacker", (req, socket, out) -> {
            RawHttpBackend.respond(out, 200, html, "Content-Type: text/html; charset=utf-8");
            return true;
        })) {
            String dom = chromium.dumpDom("http://" + attacker.hostPort() + "/", 5_000);
            assertTrue(dom.contains("sent "), "the page ran its requests: " + dom);
        }
        assertFalse(lb.pool("app").member("a").orElseThrow().draining(), "a page drained a backend");
        assertTrue(lb.pool("app").member("evil").isEmpty(), "a page added a backend");
        assertTrue(lb.pool("app").member("a").orElseThrow().state().eligible(), "a page marked a backend down");
    }
}
