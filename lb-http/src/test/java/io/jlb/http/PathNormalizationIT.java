package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Route bypass by spelling (security issue item 5): a path the route does not recognise but a backend normalizes to
 * a protected one. Every spelling of {@code /admin/secret} takes the authenticated route, and the backend receives
 * the normalized path the route saw; what cannot be normalized safely is refused.
 */
@Timeout(60)
class PathNormalizationIT {
    private static RawHttpBackend backend;
    private static LoadBalancer lb;
    private static HttpProxy proxy;
    private static HttpProxy lenient;

    @BeforeAll
    static void start() throws Exception {
        backend = RawHttpBackend.named("app");
        lb = LoadBalancer.builder().pool("app", p -> p.backend(backend.hostPort())).build();
        Authentication basic = Authentication.basic("admin")
                .user("root", "{SHA256}" + java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest
                        .getInstance("SHA-256").digest("s3cret-enough".getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .build();
        proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1)
                .routes(r -> r
                        .pathPrefix("/admin").policies(p -> p.authentication(basic)).to("app")
                        .pathPrefixIgnoreCase("/internal/").policies(p -> p.authentication(basic)).to("app")
                        .defaultTo("app"))
                .build().start();
        lenient = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1)
                .pathNormalization(PathNormalization.defaults().withMergeSlashes(false)
                        .withEncodedSlash(PathNormalization.Action.KEEP).withBackslash(PathNormalization.Action.DECODE))
                .routes(r -> r.pathPrefix("/admin/").policies(p -> p.authentication(basic)).to("app").defaultTo("app"))
                .build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        lenient.close();
        lb.close();
        backend.close();
    }

    private static RawClient.Response get(HttpProxy p, String target) throws Exception {
        try (RawClient c = new RawClient(p.address())) {
            c.send("GET " + target + " HTTP/1.1\r\nHost: app.example\r\n\r\n");
            return c.read();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/admin/secret", "/%61dmin/secret", "//admin/secret", "/./admin/secret",
        "/api/../admin/secret", "/%2e/admin/secret", "/%2E%2E/admin/secret", "/api/%2e%2e/admin/secret",
        "/admin/./secret", "///admin//secret", "/x/../../admin/secret", "/adm%69n/secret"})
    void item5_everySpellingOfAProtectedPathTakesItsRoute(String target) throws Exception {
        assertEquals(401, get(proxy, target).status(), target);
        assertTrue(backend.requests().stream().noneMatch(r -> r.target().contains("secret")), target + " reached the backend");
    }

    static Stream<Arguments> refused() {
        return Stream.of(Arguments.of("/%2Fadmin/secret", "encoded slash"), Arguments.of("/\\admin/secret", "backslash"),
                Arguments.of("/%5Cadmin/secret", "backslash"), Arguments.of("/admin%00/secret", "NUL"),
                Arguments.of("/%zz/secret", "malformed"), Arguments.of("/a%2", "malformed"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void item5_whatCannotBeNormalizedSafelyIsRefused(String target, String why) throws Exception {
        RawClient.Response r = get(proxy, target);
        assertEquals(400, r.status(), target);
        assertTrue(r.text().contains(why), r.text());
    }

    @Test
    void item5_theBackendReceivesTheNormalizedPathWithTheQueryAsSent() throws Exception {
        assertEquals("app GET /public/x?q=%2F..%2Fy", get(proxy, "/public/./a/..//x?q=%2F..%2Fy").text());
        assertEquals("app GET /caf%C3%A9/~user/", get(proxy, "/caf%c3%a9/%7euser/").text(),
                "unreserved decoded, others in upper-case hex");
    }

    @Test
    void item5_aCaseInsensitivePrefixRouteCatchesEveryCase() throws Exception {
        for (String target : List.of("/internal/x", "/INTERNAL/x", "/Internal/x", "/%49nternal/x")) {
            assertEquals(401, get(proxy, target).status(), target);
        }
    }

    @Test
    void item5_aListenerMayKeepEncodedSlashesAndDecodeBackslashes() throws Exception {
        assertEquals("app GET /files/a%2Fb", get(lenient, "/files/a%2fb").text(), "kept encoded: one segment");
        assertEquals("app GET /a//b", get(lenient, "/a//b").text(), "slashes not merged");
        assertEquals("app GET /a/b", get(lenient, "/a\\b").text(), "a backslash is a slash there");
        assertEquals(401, get(lenient, "/x/..\\admin\\secret").status(), "and routed as one");
    }
}
