package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HandlerRoutesIT {
    private static RawHttpBackend backend;
    private static LoadBalancer lb;
    private static HttpProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = RawHttpBackend.named("app");
        lb = LoadBalancer.builder().pool("app", p -> p.backend(backend.hostPort())).build();
        String big = "x".repeat(300_000);
        proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1).routes(r -> r
                .path("/ping").respond(200, "pong\n")
                .path("/echo").maxBodyBytes(100).handle(req -> Reply.text(201, req.method() + " " + req.bodyText()
                        + " q=" + req.queryParameter("q") + " h=" + req.header("X-Test")).withHeader("X-Handled", "yes"))
                .path("/boom").handle(req -> {
                    throw new IllegalStateException("handler bug");
                })
                .path("/big").handle(req -> Reply.text(200, big))
                .host("old.example.com").redirect(308, "https://new.example.com{uri}")
                .pathPrefix("/http/").redirect(301, "https://{host}{path}{query}")
                .defaultTo("app")).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        lb.close();
        backend.close();
    }

    @Test
    void answersInTheProxyAndKeepsTheConnectionAlive() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /ping HTTP/1.1\r\nHost: a\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("pong\n", r.text());
            assertNull(r.header("connection"));
            c.send("POST /echo?q=a%20b HTTP/1.1\r\nHost: a\r\nX-Test: t\r\nContent-Length: 5\r\n\r\nhello");
            r = c.read();
            assertEquals(201, r.status());
            assertEquals("POST hello q=a b h=t", r.text());
            assertEquals("yes", r.header("x-handled"));
            c.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
            assertEquals("POST abcde q=null h=null", c.read().text());
            c.send("GET /forwarded HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("app GET /forwarded", c.read().text(), "handler and forwarding routes share a connection");
            c.send("HEAD /ping HTTP/1.1\r\nHost: a\r\n\r\n");
            RawClient.Response head = c.read(true);
            assertEquals("5", head.header("content-length"));
        }
        assertEquals(1, backend.requests().size());
    }

    @Test
    void pipelinedHandlerRequestsAreAnsweredInOrder() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /ping HTTP/1.1\r\nHost: a\r\n\r\nPOST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiGET /x HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("pong\n", c.read().text());
            assertEquals("POST hi q=null h=null", c.read().text());
            assertEquals("app GET /x", c.read().text());
        }
    }

    @Test
    void aBodyOverTheLimitIs413AndAFailingHandlerIs500() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 500\r\n\r\n");
            assertEquals(413, c.read().status());
        }
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + "10\r\n" + "y".repeat(16) + "\r\n"
                    .repeat(1) + ("10\r\n" + "y".repeat(16) + "\r\n").repeat(8) + "0\r\n\r\n");
            assertEquals(413, c.read().status());
        }
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /boom HTTP/1.1\r\nHost: a\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(500, r.status());
            c.send("GET /ping HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, c.read().status(), "the connection survives a handler failure");
        }
    }

    @Test
    void writesRepliesLargerThanABuffer() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(300_000, r.body().length);
            c.send("GET /ping HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("pong\n", c.read().text());
        }
    }

    @Test
    void redirectsWithTemplates() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /a/b?c=d HTTP/1.1\r\nHost: old.example.com:8080\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(308, r.status());
            assertEquals("https://new.example.com/a/b?c=d", r.header("location"));
            c.send("GET /http/x?y=1 HTTP/1.1\r\nHost: shop.example.com\r\n\r\n");
            r = c.read();
            assertEquals(301, r.status());
            assertEquals("https://shop.example.com/http/x?y=1", r.header("location"));
            assertEquals(0, r.body().length);
        }
        assertTrue(proxy.routes().contains("host=old.example.com -> redirect 308 https://new.example.com{uri}"),
                proxy.routes().toString());
        assertEquals(new String(new byte[0], StandardCharsets.UTF_8), "");
    }
}
