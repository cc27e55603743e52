package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import io.jlb.core.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Rate limits through the running proxy, with concurrent keep-alive clients on raw sockets. */
@Timeout(60)
class RateLimitIT {
    private static final Authentication KEYS = Authentication.apiKeys().key("alice", "alice-key-0123456789")
            .key("bob", "bob-key-0123456789").build();

    private RawHttpBackend backend;
    private LoadBalancer lb;
    private HttpProxy proxy;

    @BeforeEach
    void start() throws Exception {
        backend = RawHttpBackend.named("app");
        lb = LoadBalancer.builder().pool("app", p -> p.backend(backend.hostPort())).build();
        proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(2)
                .routes(r -> r
                        .pathPrefix("/global/").policies(p -> p.rateLimit(RateLimit.perSecond(50).withBurst(20).global()))
                        .to("app")
                        .pathPrefix("/keyed/").policies(p -> p.rateLimit(RateLimit.perSecond(1).withBurst(3).byHeader("X-API-Key")))
                        .to("app")
                        .pathPrefix("/identity/").policies(p -> p.authentication(KEYS)
                                .rateLimit(RateLimit.of(1, Duration.ofMinutes(1)).withBurst(2).byIdentity())).to("app")
                        .pathPrefix("/by-user-header/").policies(p -> p.authentication(KEYS)
                                .rateLimit(RateLimit.of(1, Duration.ofMinutes(1)).withBurst(2).byHeader("X-User"))).to("app")
                        .pathPrefix("/guarded/").policies(p -> p.authentication(KEYS)
                                .authFailureLimit(RateLimit.of(1, Duration.ofMinutes(1)).withBurst(3))).to("app")
                        .pathPrefix("/capped/").policies(p -> p.rateLimit(RateLimit.of(1, Duration.ofMinutes(1))
                                .withBurst(1).byHeader("X-Tenant").withMaxKeys(4))).to("app")
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
    void concurrentClientsTogetherGetRateTimesTimePlusBurst() throws Exception {
        AtomicLong admitted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong other = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                try (RawClient c = new RawClient(proxy.address())) {
                    while (!stop.get()) {
                        c.send("GET /global/x HTTP/1.1\r\nHost: a\r\n\r\n");
                        int status = c.read().status();
                        (status == 200 ? admitted : status == 429 ? refused : other).incrementAndGet();
                    }
                } catch (Exception e) {
                    other.incrementAndGet();
                }
            });
            thread.start();
            clients.add(thread);
        }
        // The limiter paces the clients: 20 at once, then 50 a second, so 95 take 1.5 s.
        Await.until(Duration.ofSeconds(20), "95 requests admitted", () -> admitted.get() >= 95);
        double elapsed = (System.nanoTime() - start) / 1e9;
        long ok = admitted.get();
        stop.set(true);
        for (Thread t : clients) {
            t.join(10_000);
        }
        assertEquals(0, other.get(), "only 200 and 429");
        assertTrue(refused.get() > 0, "the clients asked for more than the limit");
        assertTrue(ok <= 20 + 50 * elapsed + 1, ok + " admitted in " + elapsed + " s: faster than the limit");
        assertTrue(ok >= 20 + 50 * (elapsed - 0.5) - 1, ok + " admitted in " + elapsed + " s: slower than the limit");
        ok = admitted.get();
        assertEquals(ok, backend.requests().size(), "refused requests never reach the backend");
        assertEquals(refused.get(), proxy.stats().rateLimited());
    }

    @Test
    void eachKeyHasItsOwnBucketAndARefusalSaysWhenToComeBack() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            for (int i = 0; i < 3; i++) {
                c.send("GET /keyed/x HTTP/1.1\r\nHost: a\r\nX-API-Key: alpha\r\n\r\n");
                assertEquals(200, c.read().status());
            }
            c.send("GET /keyed/x HTTP/1.1\r\nHost: a\r\nX-API-Key: alpha\r\n\r\n");
            RawClient.Response refused = c.read();
            assertEquals(429, refused.status());
            assertEquals("1", refused.header("retry-after"));
            assertEquals("3", refused.header("ratelimit-limit"));
            assertEquals("0", refused.header("ratelimit-remaining"));
            assertTrue(Integer.parseInt(refused.header("ratelimit-reset")) >= 1);
            assertNull(refused.header("connection"), "a refusal without a body keeps the connection");
            c.send("GET /keyed/x HTTP/1.1\r\nHost: a\r\nX-API-Key: beta\r\n\r\n");
            assertEquals(200, c.read().status(), "another key has its own bucket");
            c.send("POST /keyed/x HTTP/1.1\r\nHost: a\r\nX-API-Key: alpha\r\nContent-Length: 3\r\n\r\nabc");
            RawClient.Response withBody = c.read();
            assertEquals(429, withBody.status());
            assertEquals("close", withBody.header("connection"), "a refused body is not read through: the connection closes");
        }
    }

    private static int status(RawClient c, String target, String... headers) throws Exception {
        StringBuilder r = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: a\r\n");
        for (String h : headers) {
            r.append(h).append("\r\n");
        }
        c.send(r.append("\r\n").toString());
        return c.read().status();
    }

    @Test
    void item7_aLimitByIdentityCountsTheAuthenticatedCallerWhateverHeadersItRotates() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            assertEquals(200, status(c, "/identity/1", "X-API-Key: alice-key-0123456789", "X-User: a1"));
            assertEquals(200, status(c, "/identity/2", "X-API-Key: alice-key-0123456789", "X-User: a2"));
            assertEquals(429, status(c, "/identity/3", "X-API-Key: alice-key-0123456789", "X-User: a3"));
            assertEquals(200, status(c, "/identity/4", "X-API-Key: bob-key-0123456789"), "bob has his own bucket");
        }
    }

    @Test
    void item7_unauthenticatedRequestsCannotSpendAVictimsBucket() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            for (int i = 0; i < 5; i++) {
                assertEquals(401, status(c, "/by-user-header/x", "X-User: bob", "X-API-Key: not-a-key-" + i));
            }
            assertEquals(200, status(c, "/by-user-header/y", "X-User: bob", "X-API-Key: bob-key-0123456789"),
                    "refused requests counted nothing against bob");
        }
    }

    @Test
    void item7_failedAuthenticationsAreLimitedPerClientBeforeAnyCredentialIsChecked() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            for (int i = 0; i < 3; i++) {
                assertEquals(401, status(c, "/guarded/x", "X-API-Key: guess-number-" + i));
            }
            assertEquals(429, status(c, "/guarded/x", "X-API-Key: guess-number-3"));
            assertEquals(429, status(c, "/guarded/x", "X-API-Key: alice-key-0123456789"),
                    "a right guess is not even checked once the failures are spent");
        }
        assertEquals(3, proxy.stats().authFailures(), "the refused guesses were not checked, so not counted");
    }

    @Test
    void item7_aLimiterAtItsKeyCapDoesNotFailOpen() throws Exception {
        int admitted = 0;
        try (RawClient c = new RawClient(proxy.address())) {
            for (int i = 0; i < 60; i++) {
                if (status(c, "/capped/x", "X-Tenant: tenant-" + i) == 200) {
                    admitted++;
                }
            }
        }
        assertTrue(admitted <= 8 + 1, admitted + " of 60 new keys admitted at a cap of 4 keys (8 slots, one shared bucket)");
    }
}
