package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Response splitting through what the proxy writes itself (security issue item 8): a token's {@code alg} and
 * {@code kid}, an authentication's challenge, a handler's fields. No input becomes a second header line or a second
 * response, and none resets the connection.
 */
@Timeout(60)
class LocalRepliesIT {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef-hs256".getBytes(StandardCharsets.US_ASCII);
    private static RawHttpBackend backend;
    private static LoadBalancer lb;
    private static HttpProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = RawHttpBackend.named("app");
        lb = LoadBalancer.builder().pool("app", p -> p.backend(backend.hostPort())).build();
        Authentication jwt = Authentication.jwt().hmacSecret("k1", SECRET).build();
        Authentication splitting = request -> Authentication.Result.unauthorized(
                "Basic realm=\"x\"\r\nSet-Cookie: pwned=1", "no");
        proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1)
                .routes(r -> r
                        .pathPrefix("/jwt/").policies(p -> p.authentication(jwt)).to("app")
                        .pathPrefix("/custom/").policies(p -> p.authentication(splitting)).to("app")
                        .pathPrefix("/handler/").handle(request -> new Reply(200,
                                List.of(Map.entry("X-Echo", request.header("x-in") + "\r\nSet-Cookie: pwned=1")), new byte[0]))
                        .defaultTo("app"))
                .build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        lb.close();
        backend.close();
    }

    private static String token(String headerJson) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString(headerJson.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString("{\"sub\":\"x\",\"exp\":9999999999}".getBytes(StandardCharsets.UTF_8)) + ".c2ln";
    }

    private static void assertOneCleanResponse(RawClient.Response r, int status) {
        assertEquals(status, r.status());
        assertNull(r.header("set-cookie"), "a field was injected: " + r.headers());
        r.headers().forEach((name, value) -> assertFalse(value.contains("\r") || value.contains("\n"), name));
    }

    @Test
    void item8_aTokensKidAndAlgNeverReachTheChallenge() throws Exception {
        String kid = token("{\"alg\":\"HS256\",\"kid\":\"x\\r\\nSet-Cookie: pwned=1\\r\\n\\r\\nHTTP/1.1 200 OK\"}");
        String alg = token("{\"alg\":\"HS256\\r\\nSet-Cookie: pwned=1\",\"kid\":\"k1\"}");
        try (RawClient c = new RawClient(proxy.address())) {
            for (String t : List.of(kid, alg)) {
                c.send("GET /jwt/x HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + t + "\r\n\r\n");
                RawClient.Response r = c.read();
                assertOneCleanResponse(r, 401);
                assertFalse(r.header("www-authenticate").contains("pwned"), r.header("www-authenticate"));
            }
            c.send("POST /jwt/x HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + kid + "\r\nContent-Length: 2\r\n\r\nab");
            assertOneCleanResponse(c.read(), 401);
        }
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /jwt/x HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + kid + "\r\n\r\n");
            assertOneCleanResponse(c.read(), 401);
            c.send("GET /plain HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, c.read().status(), "the connection is still up: nothing was reset");
        }
    }

    @Test
    void item8_anAuthenticationsChallengeWithALineBreakIsAnErrorNotAHeader() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /custom/x HTTP/1.1\r\nHost: a\r\n\r\n");
            assertOneCleanResponse(c.read(), 500);
            c.send("GET /plain HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, c.read().status());
        }
    }

    @Test
    void item8_aHandlersFieldWithALineBreakIsAnError() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /handler/x HTTP/1.1\r\nHost: a\r\nX-In: hello\r\n\r\n");
            assertOneCleanResponse(c.read(), 500);
            c.send("GET /plain HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, c.read().status());
        }
        assertTrue(backend.requests().stream().noneMatch(r -> r.target().startsWith("/handler")));
    }
}
