package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.Backend;
import io.jlb.core.BackendState;
import io.jlb.core.LoadBalancer;
import io.jlb.core.OutlierDetection;
import io.jlb.core.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Retries, their budget, passive ejection and circuit breaking, driven by scripted backends. */
@Timeout(60)
class ResilienceIT {
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private <T extends AutoCloseable> T later(T resource) {
        cleanup.add(resource);
        return resource;
    }

    private static RawHttpBackend answering(String name, int status) throws Exception {
        return new RawHttpBackend(name, (req, socket, out) -> {
            RawHttpBackend.respond(out, status, name + " " + req.method() + " " + new String(req.body()));
            return true;
        });
    }

    private HttpProxy proxy(LoadBalancer lb, java.util.function.Consumer<Policies.Builder> policies) {
        return later(HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1)
                .routes(r -> r.any().policies(policies).to("app")).build().start());
    }

    private LoadBalancer lb(RawHttpBackend... backends) {
        return later(LoadBalancer.builder().pool("app", p -> {
            p.selector("round-robin").outlierDetection(OutlierDetection.disabled());
            for (RawHttpBackend b : backends) {
                p.backend(Backend.parse(b.hostPort()).withName(b.name));
            }
        }).build());
    }

    @Test
    void a503IsRetriedOnAnotherBackendForIdempotentAndBufferedRequests() throws Exception {
        RawHttpBackend down = later(answering("down", 503));
        RawHttpBackend up = later(answering("up", 200));
        HttpProxy proxy = proxy(lb(down, up), p -> p.retries(Retries.of(3)));
        try (RawClient c = new RawClient(proxy.address())) {
            for (int i = 0; i < 10; i++) {
                c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
                RawClient.Response r = c.read();
                assertEquals(200, r.status());
                assertEquals("up GET ", r.text());
            }
            c.send("POST /orders HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world");
            RawClient.Response posted = c.read();
            assertEquals(200, posted.status(), "a small body arrived whole: kept and sent again");
            assertEquals("up POST hello world", posted.text());
        }
        assertTrue(down.requests().size() >= 5, "the failing backend was tried: " + down.requests().size());
        assertTrue(proxy.stats().retries() >= 5);
        assertEquals(0, proxy.stats().responses(5));
    }

    @Test
    void aNonIdempotentRequestWithAStreamedBodyIsNotRetried() throws Exception {
        RawHttpBackend down = later(answering("down", 503));
        RawHttpBackend up = later(answering("up", 200));
        HttpProxy proxy = proxy(lb(down, up), p -> p.retries(Retries.of(3).withMaxBufferedBody(4)));
        int fromDown = 0;
        for (int i = 0; i < 4; i++) {
            try (RawClient c = new RawClient(proxy.address())) {
                c.send("POST /pay HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
                RawClient.Response r = c.read();
                if (r.status() == 503) {
                    fromDown++;
                    assertEquals("down POST hello", r.text(), "the backend's own answer, passed on");
                }
            }
        }
        assertEquals(2, fromDown, "round-robin: half went to the failing backend, and stayed there");
        assertEquals(2, up.requests().size(), "no POST was sent twice");
        assertEquals(0, proxy.stats().retries());
    }

    @Test
    void theBudgetBoundsRetries() throws Exception {
        RawHttpBackend down = later(answering("down", 503));
        RawHttpBackend up = later(answering("up", 200));
        HttpProxy proxy = proxy(lb(down, up), p -> p.retries(Retries.of(3).withBudget(0, 0)));
        try (RawClient c = new RawClient(proxy.address())) {
            int refused = 0;
            for (int i = 0; i < 4; i++) {
                c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
                refused += c.read().status() == 503 ? 1 : 0;
            }
            assertEquals(2, refused, "no budget: the failing backend's answers go out as they are");
        }
        assertEquals(2, proxy.stats().retriesRefused());
    }

    @Test
    void consecutiveGatewayErrorsEjectABackendForAWhileAndItComesBack() throws Exception {
        AtomicInteger failuresLeft = new AtomicInteger(3);
        RawHttpBackend flaky = later(new RawHttpBackend("flaky", (req, socket, out) -> {
            boolean fail = failuresLeft.getAndDecrement() > 0;
            RawHttpBackend.respond(out, fail ? 503 : 200, "flaky");
            return true;
        }));
        RawHttpBackend steady = later(answering("steady", 200));
        LoadBalancer lb = later(LoadBalancer.builder().pool("app", p -> p.selector("round-robin")
                .outlierDetection(OutlierDetection.defaults().withConsecutiveFailures(3)
                        .withBaseEjectionTime(Duration.ofSeconds(3)))
                .backend(Backend.parse(flaky.hostPort()).withName("flaky"))
                .backend(Backend.parse(steady.hostPort()).withName("steady"))).build());
        HttpProxy proxy = later(HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1)
                .pool("app").build().start());
        try (RawClient c = new RawClient(proxy.address())) {
            for (int i = 0; i < 6; i++) {
                c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
                c.read();
            }
            Await.until(Duration.ofSeconds(10), "three 503s in a row eject it (applied off the loop)",
                    () -> lb.pool("app").eligibleCount() == 1);
            assertEquals(BackendState.EJECTED, lb.pool("app").member("flaky").orElseThrow().state());
            int before = flaky.requests().size();
            for (int i = 0; i < 10; i++) {
                c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
                assertEquals("steady GET ", c.read().text());
            }
            assertEquals(before, flaky.requests().size(), "an ejected backend gets nothing");
            Await.until(Duration.ofSeconds(10), "the ejection ends",
                    () -> lb.pool("app").member("flaky").orElseThrow().state().eligible());
            int seen = 0;
            for (int i = 0; i < 10; i++) {
                c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
                seen += c.read().text().equals("flaky") ? 1 : 0;
            }
            assertTrue(seen >= 4, "back in rotation: " + seen);
        }
        assertEquals(1, lb.pool("app").member("flaky").orElseThrow().ejections());
    }

    @Test
    void aCircuitBreakerCapsRequestsPerBackendQueuesSomeAndRefusesTheRest() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger worst = new AtomicInteger();
        RawHttpBackend slow = later(new RawHttpBackend("slow", (req, socket, out) -> {
            worst.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            RawHttpBackend.respond(out, 200, "done");
            return true;
        }));
        HttpProxy proxy = proxy(lb(slow), p -> p.circuitBreaker(CircuitBreaker.maxRequestsPerBackend(2)
                .withQueue(2, Duration.ofSeconds(20))));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> first = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                first.add(pool.submit(() -> status(proxy)));
            }
            Await.until(Duration.ofSeconds(10), "two in flight, two queued",
                    () -> slow.requests().size() == 2 && proxy.stats().activeRequests() == 4);
            assertEquals(503, status(proxy), "the fifth finds the queue full");
            release.countDown();
            for (Future<Integer> f : first) {
                assertEquals(200, f.get(20, TimeUnit.SECONDS));
            }
            assertEquals(2, worst.get(), "never more than the cap at the backend");
            assertEquals(4, slow.requests().size());
            assertEquals(1, proxy.stats().overflows());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aQueuedRequestGivesUpAfterTheQueueTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RawHttpBackend slow = later(new RawHttpBackend("slow", (req, socket, out) -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            RawHttpBackend.respond(out, 200, "done");
            return true;
        }));
        HttpProxy proxy = proxy(lb(slow), p -> p.circuitBreaker(CircuitBreaker.maxRequestsPerBackend(1)
                .withQueue(1, Duration.ofMillis(300))));
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try {
            Future<Integer> holder = pool.submit(() -> status(proxy));
            Await.until(Duration.ofSeconds(10), "one in flight", () -> slow.requests().size() == 1);
            long start = System.nanoTime();
            try (RawClient c = new RawClient(proxy.address())) {
                c.send("GET /q HTTP/1.1\r\nHost: a\r\n\r\n");
                RawClient.Response r = c.read();
                assertEquals(503, r.status());
                assertTrue(r.text().contains("freed up in time"), r.text());
            }
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(250), "it waited its turn first");
            release.countDown();
            assertEquals(200, holder.get(20, TimeUnit.SECONDS));
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    private static int status(HttpProxy proxy) throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /work HTTP/1.1\r\nHost: a\r\n\r\n");
            return c.read().status();
        }
    }

    /** A pool with the product's defaults: passive detection on, the default panic threshold. */
    private LoadBalancer lbWithDefaults(RawHttpBackend... backends) {
        return later(LoadBalancer.builder().pool("app", p -> {
            p.selector("round-robin");
            for (RawHttpBackend b : backends) {
                p.backend(Backend.parse(b.hostPort()).withName(b.name));
            }
        }).build());
    }

    @Test
    void item10_theOnlyBackendIsNeverEjectedForItsErrors() throws Exception {
        RawHttpBackend failing = later(answering("failing", 503));
        LoadBalancer lb = lbWithDefaults(failing);
        HttpProxy proxy = proxy(lb, p -> { });
        try (RawClient c = new RawClient(proxy.address())) {
            for (int i = 0; i < 20; i++) {
                c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
                assertEquals("failing GET ", c.read().text(), "request " + i + " was answered by the backend, not refused");
            }
        }
        assertEquals(20, failing.requests().size());
        assertTrue(lb.pool("app").member("failing").orElseThrow().state() != BackendState.EJECTED);
    }

    @Test
    void item10_anApplicationsOwn500sDoNotEjectItByDefault() throws Exception {
        RawHttpBackend buggy = later(answering("buggy", 500));
        RawHttpBackend fine = later(answering("fine", 200));
        LoadBalancer lb = lbWithDefaults(buggy, fine);
        HttpProxy proxy = proxy(lb, p -> { });
        try (RawClient c = new RawClient(proxy.address())) {
            for (int i = 0; i < 30; i++) {
                c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
                c.read();
            }
        }
        assertEquals(15, buggy.requests().size(), "round robin kept sending to it");
        assertEquals(0, lb.pool("app").member("buggy").orElseThrow().ejections());
    }

    @Test
    void item10_aPoolWhoseBackendsAreAllDownPanicsAndStillServes() throws Exception {
        RawHttpBackend one = later(answering("one", 200));
        RawHttpBackend two = later(answering("two", 200));
        LoadBalancer lb = lbWithDefaults(one, two);
        HttpProxy proxy = proxy(lb, p -> { });
        lb.pool("app").markDown("one", "a failing health check");
        lb.pool("app").markDown("two", "a failing health check");
        assertTrue(lb.pool("app").panic());
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, c.read().status(), "better a backend that may work than certain 503s");
        }
    }
}
