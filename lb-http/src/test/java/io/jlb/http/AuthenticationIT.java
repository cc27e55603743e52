package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import io.jlb.http.internal.HeadParser;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Authentication offload through the running proxy, with keys and tokens the test makes. */
@Timeout(120)
class AuthenticationIT {
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final byte[] HMAC = "0123456789abcdef0123456789abcdef-hmac".getBytes(StandardCharsets.US_ASCII);

    private static KeyPair rsa;
    private static KeyPair ec;
    private static KeyPair otherRsa;
    private static RawHttpBackend backend;
    private static LoadBalancer lb;
    private static HttpProxy proxy;
    /** A check that waits for the test: each one gives a permit when it starts, and returns once released. */
    private static final Semaphore SLOW_STARTED = new Semaphore(0);
    private static final CountDownLatch SLOW_RELEASE = new CountDownLatch(1);

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
        rsaGen.initialize(2048);
        rsa = rsaGen.generateKeyPair();
        otherRsa = rsaGen.generateKeyPair();
        KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
        ecGen.initialize(new ECGenParameterSpec("secp256r1"));
        ec = ecGen.generateKeyPair();
        Path jwks = Files.writeString(dir.resolve("jwks.json"), jwks());
        backend = RawHttpBackend.named("app");
        lb = LoadBalancer.builder().pool("app", p -> p.backend(backend.hostPort())).build();
        JwtAuthentication jwt = Authentication.jwt().jwks(jwks).hmacSecret("h1", HMAC).issuer("https://issuer.test")
                .audience("api").forwardClaim("sub", "X-User").forwardClaim("roles", "X-Roles").stripAuthorization(true)
                .build();
        JwtAuthentication admin = Authentication.jwt().jwks(jwks).issuer("https://issuer.test").audience("api")
                .requireClaim("scope", "admin").build();
        String aliceHash = BasicAuthentication.hash("correct horse".toCharArray());
        byte[] salt = "pepper12".getBytes(StandardCharsets.US_ASCII);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update("battery staple".getBytes(StandardCharsets.UTF_8));
        sha.update(salt);
        byte[] digest = sha.digest();
        byte[] stored = Arrays.copyOf(digest, 32 + salt.length);
        System.arraycopy(salt, 0, stored, 32, salt.length);
        String bobHash = "{SSHA256}" + Base64.getEncoder().encodeToString(stored);
        proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1)
                .routes(r -> r
                        .pathPrefix("/jwt/").policies(p -> p.authentication(jwt)).to("app")
                        .pathPrefix("/admin/").policies(p -> p.authentication(admin)).to("app")
                        .pathPrefix("/keys/").policies(p -> p.authentication(Authentication.apiKeys()
                                .key("mobile-app", "k-mobile-0123456789").key("partner", "k-partner-0123456789")
                                .forwardNameAs("X-Consumer").stripKey(true).build())).to("app")
                        .pathPrefix("/basic/").policies(p -> p.authentication(Authentication.basic("ops")
                                .user("alice", aliceHash).user("bob", bobHash).forwardUserAs("X-User").build())).to("app")
                        .pathPrefix("/slow/").policies(p -> p.authentication(new HeldCheck())).to("app")
                        .defaultTo("app"))
                .build().start();
    }

    /** An authentication too slow for the loop: it runs on a worker thread until the test releases it. */
    private static final class HeldCheck implements Authentication {
        @Override
        public Result authenticate(RequestView request) {
            throw new AssertionError("a slow check must not run on the event loop");
        }

        @Override
        public Supplier<Result> offLoop(RequestView request) {
            String who = request.header("x-who");
            return () -> {
                SLOW_STARTED.release();
                try {
                    SLOW_RELEASE.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return who == null ? Result.unauthorized("Basic realm=\"held\"", "nobody")
                        : Result.allow(List.of(Map.entry("X-Checked", who)), List.of());
            };
        }
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        lb.close();
        backend.close();
    }

    // ---- JWT ----

    @Test
    void validTokensOfEveryAlgorithmPassWithTheirClaimsForwarded() throws Exception {
        for (String token : List.of(rs256("{\"kid\":\"r1\"}", claims(3600)), es256(claims(3600)),
                hs256("{\"alg\":\"HS256\",\"kid\":\"h1\"}", claims(3600)))) {
            RawClient.Response r = get("/jwt/me", "Authorization: Bearer " + token);
            assertEquals(200, r.status(), r.text());
        }
        RawHttpBackend.Request seen = last();
        assertEquals("user-7", seen.header("x-user"));
        assertEquals("reader,writer", seen.header("x-roles"));
        assertNull(seen.header("authorization"), "stripped before forwarding");
    }

    @Test
    void everyBadTokenIsRefusedWith401AndTheReason() throws Exception {
        String good = claims(3600);
        assertRefused(401, "a bearer token is required", get("/jwt/x"));
        assertRefused(401, "bad signature", get("/jwt/x", bearer(rs256With(otherRsa.getPrivate(), "{\"kid\":\"r1\"}", good))));
        assertRefused(401, "expired", get("/jwt/x", bearer(rs256("{\"kid\":\"r1\"}", claims(-120)))));
        assertRefused(401, "not valid yet", get("/jwt/x", bearer(rs256("{\"kid\":\"r1\"}",
                "{\"sub\":\"u\",\"iss\":\"https://issuer.test\",\"aud\":\"api\",\"exp\":" + (now() + 3600)
                        + ",\"nbf\":" + (now() + 600) + "}"))));
        assertRefused(401, "audience", get("/jwt/x", bearer(rs256("{\"kid\":\"r1\"}", good.replace("\"api\"", "\"billing\"")))));
        assertRefused(401, "issuer", get("/jwt/x", bearer(rs256("{\"kid\":\"r1\"}", good.replace("issuer.test", "evil.test")))));
        assertRefused(401, "no expiry", get("/jwt/x", bearer(rs256("{\"kid\":\"r1\"}",
                "{\"sub\":\"u\",\"iss\":\"https://issuer.test\",\"aud\":\"api\"}"))));
        String unsigned = b64("{\"alg\":\"none\",\"kid\":\"r1\"}") + "." + b64(good) + ".";
        assertRefused(401, "unsigned", get("/jwt/x", bearer(unsigned)));
        // algorithm confusion: HS256 "signed" with the RSA public key as the HMAC secret
        byte[] publicKeyAsSecret = rsa.getPublic().getEncoded();
        String confused = sign("HmacSHA256", publicKeyAsSecret, "{\"alg\":\"HS256\",\"kid\":\"r1\"}", good);
        assertRefused(401, "does not fit its key", get("/jwt/x", bearer(confused)));
        assertRefused(401, "names an unknown key", get("/jwt/x", bearer(rs256("{\"kid\":\"nope\"}", good))));
        assertRefused(401, "not a JWS", get("/jwt/x", bearer("abc.def")));
        assertRefused(401, "base64url JSON", get("/jwt/x", bearer("!!!.???.***")));
        RawClient.Response r = get("/jwt/x", bearer(rs256("{\"kid\":\"r1\"}", claims(-120))));
        assertTrue(r.header("www-authenticate").startsWith("Bearer realm=\"jlb\", error=\"invalid_token\""),
                r.header("www-authenticate"));
        assertTrue(backend.requests().stream().noneMatch(q -> q.target().equals("/jwt/x")), "none reached the backend");
    }

    @Test
    void aValidTokenWithoutTheRequiredClaimIs403() throws Exception {
        RawClient.Response r = get("/admin/x", bearer(rs256("{\"kid\":\"r1\"}", claims(3600))));
        assertEquals(403, r.status());
        assertTrue(r.header("www-authenticate").contains("insufficient_scope"));
        String withScope = claims(3600).replace("\"sub\"", "\"scope\":\"read admin\",\"sub\"");
        assertEquals(200, get("/admin/x", bearer(rs256("{\"kid\":\"r1\"}", withScope))).status());
    }

    // ---- API keys and Basic ----

    @Test
    void apiKeysAreCheckedAndTheHolderForwarded() throws Exception {
        assertRefused(401, "API key is required", get("/keys/x"));
        assertRefused(401, "not valid", get("/keys/x", "X-API-Key: k-mobile-0123456780"));
        RawClient.Response ok = get("/keys/x", "X-API-Key: k-partner-0123456789");
        assertEquals(200, ok.status());
        assertEquals("partner", last().header("x-consumer"));
        assertNull(last().header("x-api-key"));
    }

    @Test
    void basicCredentialsAreCheckedAgainstHashes() throws Exception {
        RawClient.Response none = get("/basic/x");
        assertRefused(401, "credentials are required", none);
        assertEquals("Basic realm=\"ops\", charset=\"UTF-8\"", none.header("www-authenticate"));
        assertRefused(401, "not valid", get("/basic/x", basic("alice", "wrong")));
        assertRefused(401, "not valid", get("/basic/x", basic("mallory", "correct horse")));
        assertEquals(200, get("/basic/x", basic("alice", "correct horse")).status());
        assertEquals("alice", last().header("x-user"));
        assertEquals(200, get("/basic/x", basic("bob", "battery staple")).status());
        assertEquals(200, get("/basic/x", basic("alice", "correct horse")).status(), "remembered once verified");
    }

    @Test
    void aSlowCheckRunsOnAWorkerWhileTheLoopServesOthers() throws Exception {
        try (RawClient held = new RawClient(proxy.address()); RawClient abandoned = new RawClient(proxy.address())) {
            held.send("GET /slow/a HTTP/1.1\r\nHost: a\r\nX-Who: carol\r\n\r\n" // and a pipelined request behind it
                    + "GET /plain HTTP/1.1\r\nHost: a\r\n\r\n");
            assertTrue(SLOW_STARTED.tryAcquire(30, TimeUnit.SECONDS), "the check started");
            abandoned.send("GET /slow/b HTTP/1.1\r\nHost: a\r\nX-Who: dave\r\n\r\n");
            abandoned.close(); // its decision, whenever it comes, finds no exchange waiting
            // The proxy has one loop: had the check run on it, nothing else would be served until it ends.
            assertEquals(200, get("/keys/x", "X-API-Key: k-partner-0123456789").status());
            assertRefused(401, "not valid", get("/keys/x", "X-API-Key: k-mobile-0123456780"));
            SLOW_RELEASE.countDown();
            RawClient.Response first = held.read();
            assertEquals(200, first.status(), first.text());
            RawClient.Response second = held.read();
            assertEquals(200, second.status(), second.text());
        } finally {
            SLOW_RELEASE.countDown();
        }
        List<RawHttpBackend.Request> seen = backend.requests();
        assertTrue(seen.stream().anyMatch(r -> "carol".equals(r.header("x-checked"))), "carol's request went through");
        assertTrue(seen.stream().noneMatch(r -> "dave".equals(r.header("x-checked"))), "the abandoned one did not");
        assertEquals(200, get("/plain").status(), "the proxy serves on");
    }

    @Test
    void aCheckThatDoesNotDecideInTimeIsAnswered503() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Authentication stuck = new Authentication() {
            @Override
            public Result authenticate(RequestView request) {
                throw new AssertionError("a slow check must not run on the event loop");
            }

            @Override
            public Supplier<Result> offLoop(RequestView request) {
                return () -> {
                    try {
                        never.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Result.allow();
                };
            }
        };
        HttpProxy timed = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1)
                .timeouts(HttpTimeouts.defaults().withHeader(Duration.ofMillis(300)))
                .routes(r -> r.pathPrefix("/").policies(p -> p.authentication(stuck)).to("app"))
                .build().start();
        try (RawClient c = new RawClient(timed.address())) {
            c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
            assertRefused(503, "authentication not decided in time", c.read());
        } finally {
            never.countDown();
            timed.close();
        }
    }

    @Test
    void onlyFirstSightsOfPbkdf2CredentialsLeaveTheLoop() throws Exception {
        BasicAuthentication basic = Authentication.basic("ops").user("erin", BasicAuthentication.hash("pw".toCharArray()))
                .build();
        RequestView view = new RequestView();
        assertNull(basic.offLoop(viewOf(view, null)), "no credentials: answered at once");
        assertNull(basic.offLoop(viewOf(view, "Bearer x")), "not Basic: answered at once");
        Supplier<Authentication.Result> first = basic.offLoop(viewOf(view, basic("erin", "pw").substring(15)));
        assertTrue(first != null && first.get().allowed());
        assertNull(basic.offLoop(viewOf(view, basic("erin", "pw").substring(15))), "remembered once verified");
        assertTrue(basic.offLoop(viewOf(view, basic("erin", "nope").substring(15))) != null, "a wrong password is hashed too");
        assertTrue(basic.offLoop(viewOf(view, basic("nobody", "pw").substring(15))) != null, "so is an unknown user");
    }

    @Test
    void configurationMistakesAreRefusedWhenBuilt() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> Authentication.jwt().hmacSecret("k", new byte[8]));
        KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
        small.initialize(1024);
        assertThrows(IllegalArgumentException.class, () -> Authentication.jwt().publicKey("k", small.generateKeyPair().getPublic()));
        assertThrows(IllegalStateException.class, () -> Authentication.jwt().build());
        assertThrows(IllegalArgumentException.class, () -> Authentication.apiKeys().key("x", "short"));
        assertThrows(IllegalArgumentException.class, () -> Authentication.basic("ops").user("a", "plaintext"));
    }

    // ---- helpers ----

    private static void assertRefused(int status, String reason, RawClient.Response r) {
        assertEquals(status, r.status(), r.text());
        assertTrue(r.text().contains(reason), "'" + r.text().trim() + "' should say '" + reason + "'");
    }

    private static RawClient.Response get(String path, String... headers) throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: a\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            c.send(req.append("\r\n").toString());
            return c.read();
        }
    }

    private static RawHttpBackend.Request last() {
        List<RawHttpBackend.Request> all = backend.requests();
        return all.get(all.size() - 1);
    }

    private static String bearer(String token) {
        return "Authorization: Bearer " + token;
    }

    private static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The view of a GET with this Authorization value (none when null). */
    private static RequestView viewOf(RequestView view, String authorization) {
        String text = "GET / HTTP/1.1\r\nHost: a\r\n" + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + "\r\n";
        ByteBuffer b = ByteBuffer.allocateDirect(text.length());
        b.put(text.getBytes(StandardCharsets.ISO_8859_1));
        HeadParser parser = new HeadParser(true, 8192, 32768, 100);
        parser.begin(b, 0);
        assertEquals(HeadParser.Result.COMPLETE, parser.parse(b.position()));
        view.reset(parser.head(), new InetSocketAddress("127.0.0.1", 1));
        return view;
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }

    private static String claims(long expiresIn) {
        return "{\"sub\":\"user-7\",\"roles\":[\"reader\",\"writer\"],\"iss\":\"https://issuer.test\",\"aud\":[\"api\",\"web\"],"
                + "\"iat\":" + now() + ",\"exp\":" + (now() + expiresIn) + "}";
    }

    private static String rs256(String extraHeader, String payload) throws Exception {
        return rs256With(rsa.getPrivate(), extraHeader, payload);
    }

    private static String rs256With(PrivateKey key, String extraHeader, String payload) throws Exception {
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"," + extraHeader.substring(1);
        String signed = b64(header) + "." + b64(payload);
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + B64URL.encodeToString(s.sign());
    }

    private static String es256(String payload) throws Exception {
        String signed = b64("{\"alg\":\"ES256\",\"kid\":\"e1\"}") + "." + b64(payload);
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(ec.getPrivate());
        s.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + B64URL.encodeToString(s.sign());
    }

    private static String hs256(String header, String payload) throws Exception {
        return sign("HmacSHA256", HMAC, header, payload);
    }

    private static String sign(String algorithm, byte[] secret, String header, String payload) throws Exception {
        String signed = b64(header) + "." + b64(payload);
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(secret, algorithm));
        return signed + "." + B64URL.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String b64(String json) {
        return B64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String jwks() {
        RSAPublicKey r = (RSAPublicKey) rsa.getPublic();
        ECPublicKey e = (ECPublicKey) ec.getPublic();
        return "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r1\",\"use\":\"sig\",\"n\":\"" + unsigned(r.getModulus(), 256)
                + "\",\"e\":\"" + unsigned(r.getPublicExponent(), 0) + "\"},{\"kty\":\"EC\",\"kid\":\"e1\",\"crv\":\"P-256\","
                + "\"x\":\"" + unsigned(e.getW().getAffineX(), 32) + "\",\"y\":\"" + unsigned(e.getW().getAffineY(), 32)
                + "\"},{\"kty\":\"RSA\",\"kid\":\"enc\",\"use\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}";
    }

    private static String unsigned(BigInteger v, int length) {
        byte[] b = v.toByteArray();
        if (b.length > 1 && b[0] == 0) {
            b = Arrays.copyOfRange(b, 1, b.length);
        }
        if (length > b.length) {
            byte[] padded = new byte[length];
            System.arraycopy(b, 0, padded, length - b.length, b.length);
            b = padded;
        }
        return B64URL.encodeToString(b);
    }
}
