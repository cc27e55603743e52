package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Headers a backend takes as the proxy's word (security issue items 6 and 12): identity from authentication, the
 * client certificate's subject, the request id, and the client's address. A client can never supply them, in any
 * case, on any route; only a trusted proxy's forwarding headers are kept and extended.
 */
@Timeout(60)
class AssertedHeadersIT {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef-hs256".getBytes(StandardCharsets.US_ASCII);
    private static final String API_KEY = "key-of-the-mobile-app-01";

    private static RawHttpBackend backend;
    private static LoadBalancer lb;
    private static HttpProxy edge;
    private static HttpProxy behindProxies;
    private static HttpProxy noForwardingHeaders;

    @BeforeAll
    static void start() throws Exception {
        backend = RawHttpBackend.named("app");
        lb = LoadBalancer.builder().pool("app", p -> p.backend(backend.hostPort())).build();
        Authentication jwt = Authentication.jwt().hmacSecret(null, SECRET).forwardClaim("sub", "X-User-Id")
                .forwardClaim("role", "X-Role").build();
        Authentication keys = Authentication.apiKeys().key("mobile-app", API_KEY).forwardNameAs("X-Api-Client").build();
        String hash = "{SHA256}" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest("open sesame".getBytes(StandardCharsets.UTF_8)));
        Authentication basic = Authentication.basic("ops").user("alice", hash).forwardUserAs("X-Remote-User").build();
        edge = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1)
                .policies(p -> p.requestId())
                .routes(r -> r
                        .pathPrefix("/jwt/").policies(p -> p.authentication(jwt)).to("app")
                        .pathPrefix("/key/").policies(p -> p.authentication(keys)).to("app")
                        .pathPrefix("/basic/").policies(p -> p.authentication(basic)).to("app")
                        .defaultTo("app"))
                .build().start();
        behindProxies = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1)
                .trustedProxies("127.0.0.1/32", "10.0.0.0/8")
                .policies(p -> p.requestId().requestHeaders(h -> h.set("X-Seen-Client", "{client_ip}"))
                        .rateLimit(RateLimit.of(1, java.time.Duration.ofMinutes(1)).withBurst(1)))
                .pool("app").build().start();
        noForwardingHeaders = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1)
                .forwardedHeaders(ForwardedHeaders.none()).pool("app").build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        edge.close();
        behindProxies.close();
        noForwardingHeaders.close();
        lb.close();
        backend.close();
    }

    private static RawHttpBackend.Request send(HttpProxy proxy, String target, String... headers) throws Exception {
        StringBuilder request = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: app.example\r\n");
        for (String h : headers) {
            request.append(h).append("\r\n");
        }
        try (RawClient c = new RawClient(proxy.address())) {
            c.send(request.append("\r\n").toString());
            RawClient.Response r = c.read();
            assertEquals(200, r.status(), target + ": " + r.text());
        }
        List<RawHttpBackend.Request> seen = backend.requests();
        for (int i = seen.size() - 1; i >= 0; i--) {
            if (seen.get(i).target().equals(target)) {
                return seen.get(i);
            }
        }
        throw new AssertionError("not forwarded: " + target);
    }

    static String hs256(String claims) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signed = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        return signed + "." + b64.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    }

    private static long inAnHour() {
        return Instant.now().getEpochSecond() + 3600;
    }

    // ---- item 6 ----

    @Test
    void item6_aClaimForwardedByTheProxyReplacesTheClientsFieldOfAnyCase() throws Exception {
        String token = hs256("{\"sub\":\"alice\",\"exp\":" + inAnHour() + "}");
        RawHttpBackend.Request seen = send(edge, "/jwt/me", "x-user-id: admin", "X-USER-ID: root",
                "Authorization: Bearer " + token);
        assertEquals(List.of("alice"), seen.headers("x-user-id"));
    }

    @Test
    void item6_aTokenWithoutTheClaimLeavesNoClientValueBehind() throws Exception {
        String token = hs256("{\"role\":\"reader\",\"exp\":" + inAnHour() + "}");
        RawHttpBackend.Request seen = send(edge, "/jwt/nosub", "X-User-Id: admin", "Authorization: Bearer " + token);
        assertEquals(List.of(), seen.headers("x-user-id"));
        assertEquals(List.of("reader"), seen.headers("x-role"));
    }

    @Test
    void item6_apiKeyAndBasicIdentitiesAreTheProxysOnly() throws Exception {
        RawHttpBackend.Request key = send(edge, "/key/x", "X-Api-Client: billing-admin", "X-API-Key: " + API_KEY);
        assertEquals(List.of("mobile-app"), key.headers("x-api-client"));
        String basic = Base64.getEncoder().encodeToString("alice:open sesame".getBytes(StandardCharsets.UTF_8));
        RawHttpBackend.Request user = send(edge, "/basic/x", "X-Remote-User: root", "Authorization: Basic " + basic);
        assertEquals(List.of("alice"), user.headers("x-remote-user"));
    }

    @Test
    void item6_assertedFieldsAreRemovedOnEveryRouteOfTheListenerEvenWithoutAuthentication() throws Exception {
        RawHttpBackend.Request seen = send(edge, "/public/x", "X-User-Id: admin", "x-api-client: billing",
                "X-Remote-User: root", "X-Role: admin", "X-Client-Cert-Subject: CN=admin,O=Example",
                "x-client-cert-subject: CN=root");
        for (String name : List.of("x-user-id", "x-api-client", "x-remote-user", "x-role", "x-client-cert-subject")) {
            assertEquals(List.of(), seen.headers(name), name + " came from the client");
        }
    }

    @Test
    void item6_aRequestIdFromAnUntrustedClientIsReplaced() throws Exception {
        RawHttpBackend.Request seen = send(edge, "/public/rid", "X-Request-Id: chosen-by-attacker");
        assertEquals(1, seen.headers("x-request-id").size());
        assertNotEquals("chosen-by-attacker", seen.header("x-request-id"));
        assertTrue(seen.header("x-request-id").matches("[0-9a-f]{32}"));
        RawHttpBackend.Request trusted = send(behindProxies, "/trusted/rid", "X-Request-Id: from-the-edge-1");
        assertEquals(List.of("from-the-edge-1"), trusted.headers("x-request-id"), "a trusted proxy's id is kept");
    }

    // ---- item 12 ----

    @Test
    void item12_forwardingHeadersFromAnUntrustedClientAreReplacedNotExtended() throws Exception {
        RawHttpBackend.Request seen = send(edge, "/public/xff", "X-Forwarded-For: 1.2.3.4", "Forwarded: for=1.2.3.4",
                "X-Real-IP: 1.2.3.4", "x-forwarded-for: 5.6.7.8");
        assertEquals(List.of("127.0.0.1"), seen.headers("x-forwarded-for"));
        assertEquals(List.of("127.0.0.1"), seen.headers("x-real-ip"));
        assertEquals(1, seen.headers("forwarded").size());
        assertTrue(seen.header("forwarded").startsWith("for=127.0.0.1;"), seen.header("forwarded"));
    }

    @Test
    void item12_withTheHeadersSwitchedOffAClientsOwnAreStillDropped() throws Exception {
        RawHttpBackend.Request seen = send(noForwardingHeaders, "/off/xff", "X-Forwarded-For: 1.2.3.4",
                "Forwarded: for=1.2.3.4", "X-Real-IP: 1.2.3.4");
        assertNull(seen.header("x-forwarded-for"));
        assertNull(seen.header("forwarded"));
        assertNull(seen.header("x-real-ip"));
    }

    @Test
    void item12_aTrustedProxysChainIsKeptAndNamesTheClient() throws Exception {
        RawHttpBackend.Request seen = send(behindProxies, "/trusted/chain", "X-Forwarded-For: 198.51.100.7, 10.1.2.3",
                "Forwarded: for=198.51.100.7");
        assertEquals("198.51.100.7, 10.1.2.3, 127.0.0.1", seen.header("x-forwarded-for"));
        assertEquals("198.51.100.7", seen.header("x-real-ip"), "the last address that is not a trusted proxy");
        assertEquals("198.51.100.7", seen.header("x-seen-client"));
        assertTrue(seen.header("forwarded").startsWith("for=198.51.100.7, for=127.0.0.1;"), seen.header("forwarded"));
    }

    @Test
    void item12_theClientATrustedProxyNamesIsWhatTheRateLimitCounts() throws Exception {
        send(behindProxies, "/trusted/limit-a", "X-Forwarded-For: 203.0.113.1");
        send(behindProxies, "/trusted/limit-b", "X-Forwarded-For: 203.0.113.2");
        try (RawClient c = new RawClient(behindProxies.address())) {
            c.send("GET /trusted/limit-a2 HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.1\r\n\r\n");
            assertEquals(429, c.read().status(), "203.0.113.1 spent its one request; 203.0.113.2 did not spend it");
        }
    }
}
