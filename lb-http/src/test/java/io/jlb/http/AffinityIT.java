package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.Backend;
import io.jlb.core.LoadBalancer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Session affinity through the running proxy: a sticky cookie, and consistent hashing on a header. */
@Timeout(120)
class AffinityIT {
    private final List<RawHttpBackend> backends = new ArrayList<>();
    private LoadBalancer lb;
    private HttpProxy proxy;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        for (String name : List.of("a", "b", "c")) {
            backends.add(RawHttpBackend.named(name));
        }
        lb = LoadBalancer.builder()
                .pool("web", p -> {
                    p.selector("round-robin");
                    backends.forEach(b -> p.backend(Backend.parse(b.hostPort()).withName("web-" + b.name)));
                })
                .pool("cache", p -> {
                    p.selector("ring-hash");
                    backends.forEach(b -> p.backend(Backend.parse(b.hostPort()).withName("cache-" + b.name)));
                })
                .pool("tiered", p -> p.backend(Backend.parse(backends.get(0).hostPort()).withName("primary"))
                        .backend(Backend.parse(backends.get(1).hostPort()).withName("backup").withBackup(true)))
                .build();
        proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(2)
                .routes(r -> r
                        .pathPrefix("/cart/").policies(p -> p.sticky(StickyCookie.named("JLB")
                                .withMaxAge(Duration.ofHours(1)).withSecret("s3cret"))).to("web")
                        .pathPrefix("/cache/").policies(p -> p.hashBy(HashKey.header("X-User"))).to("cache")
                        .pathPrefix("/nosecret/").policies(p -> p.sticky(StickyCookie.named("S"))).to("web")
                        .pathPrefix("/tiered/").policies(p -> p.sticky(StickyCookie.named("T"))).to("tiered")
                        .defaultTo("web"))
                .build().start();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        lb.close();
        for (RawHttpBackend b : backends) {
            b.close();
        }
    }

    @Test
    void aStickyCookieHoldsForAThousandRequestsAndMovesWhenItsBackendGoesDown() throws Exception {
        HttpResponse<String> first = get("/cart/1", null, null);
        String setCookie = first.headers().firstValue("set-cookie").orElseThrow();
        assertTrue(setCookie.matches("JLB=[0-9a-f]{32}; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax"), setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String home = first.body().split(" ")[0];
        assertTrue(!cookie.contains("web-" + home) && !cookie.contains("127.0.0.1"), "the token names no backend: " + cookie);
        for (int i = 0; i < 1000; i++) {
            HttpResponse<String> r = get("/cart/" + i, cookie, null);
            assertEquals(home, r.body().split(" ")[0], "request " + i);
            assertTrue(r.headers().firstValue("set-cookie").isEmpty(), "the cookie is set once");
        }
        lb.pool("web").markDown("web-" + home, "test");
        HttpResponse<String> moved = get("/cart/after", cookie, null);
        String newHome = moved.body().split(" ")[0];
        assertNotEquals(home, newHome);
        String reset = moved.headers().firstValue("set-cookie").orElseThrow();
        String newCookie = reset.substring(0, reset.indexOf(';'));
        assertNotEquals(cookie, newCookie, "a new cookie names the new backend");
        for (int i = 0; i < 50; i++) {
            assertEquals(newHome, get("/cart/x", newCookie, null).body().split(" ")[0]);
        }
        HttpResponse<String> garbage = get("/cart/garbage", "JLB=zzzz", null);
        assertTrue(garbage.headers().firstValue("set-cookie").isPresent(), "an unknown token is replaced");
    }

    @Test
    void aSecondProxyReadsTheSameCookies() throws Exception {
        String setCookie = get("/cart/1", null, null).headers().firstValue("set-cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String home = get("/cart/2", cookie, null).body().split(" ")[0];
        try (HttpProxy twin = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1)
                .routes(r -> r.pathPrefix("/cart/").policies(p -> p.sticky(StickyCookie.named("JLB").withSecret("s3cret")))
                        .to("web"))
                .build().start()) {
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + twin.address().getPort() + "/cart/" + i)).header("Cookie", "other=1; " + cookie).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(home, r.body().split(" ")[0]);
            }
        }
    }

    @Test
    void hashingOnAHeaderKeepsEachUserOnOneBackendAndSpreadsUsers() throws Exception {
        Map<String, String> homeOf = new HashMap<>();
        Set<String> used = new HashSet<>();
        for (int round = 0; round < 5; round++) {
            for (int u = 0; u < 60; u++) {
                String user = "user-" + u;
                String where = get("/cache/k", null, user).body().split(" ")[0];
                String before = homeOf.putIfAbsent(user, where);
                assertTrue(before == null || before.equals(where), user + " moved from " + before + " to " + where);
                used.add(where);
            }
        }
        assertEquals(3, used.size(), "users spread over every backend");
        assertNull(get("/cache/k", null, "user-1").headers().firstValue("set-cookie").orElse(null));
    }

    private HttpResponse<String> get(String path, String cookie, String user) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.address().getPort() + path))
                .timeout(Duration.ofSeconds(10));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (user != null) {
            b.header("X-User", user);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r;
    }

    /** A token as it was made before: a SHA-256 of the (empty) secret, a zero byte and the backend's name. */
    private static String guessedToken(String backendName) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        md.update((byte) 0);
        md.update(backendName.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(md.digest(), 0, 12);
    }

    @Test
    void item9_aCookieMadeFromABackendsNameDoesNotSteer() throws Exception {
        for (String name : List.of("web-a", "web-b", "web-c")) {
            HttpResponse<String> r = get("/nosecret/x", "S=" + guessedToken(name), null);
            assertTrue(r.headers().firstValue("set-cookie").isPresent(), "a forged token for " + name + " was taken");
        }
    }

    @Test
    void item9_aCookieNamingABackupIsNotHonouredWhileAPrimaryIsUp() throws Exception {
        lb.pool("tiered").markDown("primary", "test");
        HttpResponse<String> onBackup = get("/tiered/x", null, null);
        assertEquals("b", onBackup.body().split(" ")[0]);
        String set = onBackup.headers().firstValue("set-cookie").orElseThrow();
        String cookie = set.substring(0, set.indexOf(';'));
        assertEquals("b", get("/tiered/y", cookie, null).body().split(" ")[0], "held while the primary is down");
        lb.pool("tiered").markUp("primary", "test");
        HttpResponse<String> back = get("/tiered/z", cookie, null);
        assertEquals("a", back.body().split(" ")[0], "the primary is up again: the backup's cookie is not honoured");
        assertTrue(back.headers().firstValue("set-cookie").isPresent());
    }
}
