package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import io.jlb.core.LoadBalancerBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The seeds' routing examples, as they stand, through a running proxy. */
@Timeout(60)
class RoutingIT {
    private static final List<String> POOLS = List.of("api-v1", "api-v2", "cdn-origin", "health", "frontend", "api",
            "web", "canary", "stable", "v1", "v2", "admin", "search", "debug");
    private static final Map<String, RawHttpBackend> BACKENDS = new LinkedHashMap<>();
    private static LoadBalancer lb;
    private static HttpProxy byPath;
    private static HttpProxy byHost;
    private static HttpProxy byHeader;

    @BeforeAll
    static void start() throws Exception {
        LoadBalancerBuilder b = LoadBalancer.builder();
        for (String pool : POOLS) {
            RawHttpBackend backend = RawHttpBackend.named(pool);
            BACKENDS.put(pool, backend);
            b.pool(pool, p -> p.backend(backend.hostPort()));
        }
        lb = b.build();
        byPath = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1).routes(r -> r
                .pathGlob("/api/v1/*").to("api-v1")
                .pathGlob("/api/v2/*").stripPrefix("/api/v2").to("api-v2")
                .pathGlob("/static/*").to("cdn-origin")
                .path("/health").to("health")
                .pathRegex("/admin/[0-9]+").method("POST", "DELETE").to("admin")
                .pathGlob("/search/?/*").query("debug", "1").to("debug")
                .pathPrefix("/search/").to("search")
                .pathGlob("/*").to("frontend")).build().start();
        byHost = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1).routes(r -> r
                .host("api.example.com").to("api")
                .host("www.example.com").to("web")
                .host("*.example.com").pathPrefix("/shop/").split("v1", 95, "v2", 5)).build().start();
        byHeader = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1).routes(r -> r
                .header("X-Canary", "true").to("canary")
                .headerRegex("X-Version", "2\\.[0-9]+").to("v2")
                .headerPresent("X-Debug").to("debug")
                .defaultTo("stable")).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        byPath.close();
        byHost.close();
        byHeader.close();
        lb.close();
        for (RawHttpBackend b : BACKENDS.values()) {
            b.close();
        }
    }

    private static RawClient.Response send(HttpProxy proxy, String method, String target, String... headers)
            throws Exception {
        StringBuilder sb = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        boolean host = false;
        for (String h : headers) {
            sb.append(h).append("\r\n");
            host |= h.toLowerCase().startsWith("host:");
        }
        if (!host) {
            sb.append("Host: test\r\n");
        }
        sb.append("Content-Length: 0\r\n\r\n");
        try (RawClient c = new RawClient(proxy.address())) {
            return c.send(sb.toString()).read();
        }
    }

    private static String backendOf(HttpProxy proxy, String method, String target, String... headers) throws Exception {
        RawClient.Response r = send(proxy, method, target, headers);
        return r.status() == 200 ? r.header("x-backend") : "status " + r.status();
    }

    @Test
    void routesByPath() throws Exception {
        assertEquals("api-v1", backendOf(byPath, "GET", "/api/v1/users/7"));
        assertEquals("api-v2", backendOf(byPath, "GET", "/api/v2/orders"));
        assertEquals("cdn-origin", backendOf(byPath, "GET", "/static/app.js?v=3"));
        assertEquals("health", backendOf(byPath, "GET", "/health"));
        assertEquals("frontend", backendOf(byPath, "GET", "/healthz"), "exact path does not match a longer one");
        assertEquals("frontend", backendOf(byPath, "GET", "/"));
        assertEquals("frontend", backendOf(byPath, "GET", "/api/v3/x"));
    }

    @Test
    void routesByMethodRegexAndQuery() throws Exception {
        assertEquals("admin", backendOf(byPath, "DELETE", "/admin/42"));
        assertEquals("frontend", backendOf(byPath, "GET", "/admin/42"), "method does not match");
        assertEquals("frontend", backendOf(byPath, "POST", "/admin/abc"), "regex does not match");
        assertEquals("debug", backendOf(byPath, "GET", "/search/x/q?debug=1"));
        assertEquals("search", backendOf(byPath, "GET", "/search/x/q?debug=0"));
        assertEquals("search", backendOf(byPath, "GET", "/search/xy/q?debug=1"), "? matches exactly one character");
    }

    @Test
    void stripsAPrefixBeforeForwarding() throws Exception {
        RawClient.Response r = send(byPath, "GET", "/api/v2/orders?id=9");
        assertEquals("api-v2 GET /orders?id=9", r.text());
        assertEquals("api-v2 GET /", send(byPath, "GET", "/api/v2/").text());
    }

    @Test
    void routesByHostExactAndWildcardAndIgnoresThePort() throws Exception {
        assertEquals("api", backendOf(byHost, "GET", "/x", "Host: api.example.com"));
        assertEquals("api", backendOf(byHost, "GET", "/x", "Host: API.Example.com:8080"));
        assertEquals("web", backendOf(byHost, "GET", "/x", "Host: www.example.com"));
        assertEquals("status 404", backendOf(byHost, "GET", "/x", "Host: example.org"), "no route and no default");
        assertEquals("status 404", backendOf(byHost, "GET", "/x", "Host: shop.example.com"), "wildcard needs /shop/");
    }

    @Test
    void splitsByWeightForACanary() throws Exception {
        int v2 = 0;
        int n = 2000;
        try (RawClient c = new RawClient(byHost.address())) {
            for (int i = 0; i < n; i++) {
                c.send("GET /shop/item HTTP/1.1\r\nHost: shop.example.com\r\n\r\n");
                if ("v2".equals(c.read().header("x-backend"))) {
                    v2++;
                }
            }
        }
        // 5% of 2000 = 100; a binomial standard deviation is ~9.7, so 100 ± 45 holds with overwhelming odds.
        assertTrue(v2 >= 55 && v2 <= 145, "canary share: " + v2 + " of " + n);
    }

    @Test
    void routesByHeaderWithADefault() throws Exception {
        assertEquals("canary", backendOf(byHeader, "GET", "/", "X-Canary: true"));
        assertEquals("stable", backendOf(byHeader, "GET", "/", "X-Canary: false"));
        assertEquals("v2", backendOf(byHeader, "GET", "/", "X-Version: 2.13"));
        assertEquals("stable", backendOf(byHeader, "GET", "/", "X-Version: 3.0"));
        assertEquals("debug", backendOf(byHeader, "GET", "/", "X-Debug: "));
        assertEquals("stable", backendOf(byHeader, "GET", "/"));
    }

    @Test
    void badRoutesAreRejectedWhenBuilt() {
        assertEquals("route 'path=/x -> nope': pool: 'nope' is not defined (defined: " + String.join(", ", POOLS) + ")",
                assertThrows(IllegalArgumentException.class, () -> HttpProxy.builder().listen("127.0.0.1:0")
                        .loadBalancer(lb).routes(r -> r.path("/x").to("nope")).build()).getMessage());
        assertEquals("pathRegex: '([' is not a regular expression: Unclosed character class",
                assertThrows(IllegalArgumentException.class, () -> HttpProxy.builder()
                        .routes(r -> r.pathRegex("([").to("api"))).getMessage());
        assertEquals("path: 'x' (expected: starting with /)", assertThrows(IllegalArgumentException.class,
                () -> HttpProxy.builder().routes(r -> r.path("x").to("api"))).getMessage());
        assertEquals("host: 'a*.b' (expected: name, *.domain or *)", assertThrows(IllegalArgumentException.class,
                () -> HttpProxy.builder().routes(r -> r.host("a*.b").to("api"))).getMessage());
        assertEquals(List.of("path=/api/v1/* -> api-v1", "path=/api/v2/* -> api-v2 strip=/api/v2",
                "path=/static/* -> cdn-origin", "path=/health -> health",
                "path-regex=/admin/[0-9]+ method=POST|DELETE -> admin", "path=/search/?/* query=debug=1 -> debug",
                "path-prefix=/search/ -> search", "path=/* -> frontend"), byPath.routes());
    }
}
