package io.jlb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.testing.Await;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {
    @Test
    void clientSideBalancingPicksLeasesAndLearnsFromOutcomes() {
        try (LoadBalancer lb = LoadBalancer.builder()
                .pool("api", p -> p.backends("127.0.0.1:1", "127.0.0.1:2").selector(Selector.leastConnections()))
                .build()
                .start()) {
            Lease first = lb.acquire("api", PickContext.EMPTY);
            Lease second = lb.acquire("api", PickContext.EMPTY);
            assertTrue(first.found());
            assertFalse(first.backend().equals(second.backend()), "least-connections spreads open leases");
            first.success(2_000_000);
            second.failure();
            first.close();
            second.close();
            Member m = lb.pool("api").member(second.backend().name()).orElseThrow();
            assertEquals(1, m.failures());
            assertEquals(1, m.consecutiveFailures());
            assertEquals(0, lb.pool("api").active());
        }
    }

    @Test
    void builderMistakesAreReportedClearly() {
        assertEquals("no pool defined (expected: at least one pool(..))",
                assertThrows(IllegalStateException.class, () -> LoadBalancer.builder().build()).getMessage());
        assertEquals("pool 'a' is already defined", assertThrows(IllegalStateException.class,
                () -> LoadBalancer.builder().pool("a", p -> { }).pool("a", p -> { })).getMessage());
        assertEquals("pool name: 'a b' (expected: letters, digits, '-', '_', '.')",
                assertThrows(IllegalArgumentException.class, () -> LoadBalancer.builder().pool("a b", p -> { }))
                        .getMessage());
        assertEquals("pool 'a': selector is already set to round-robin", assertThrows(IllegalStateException.class,
                () -> LoadBalancer.builder().pool("a", p -> p.selector("round-robin").selector("p2c"))).getMessage());
        Selector shared = Selector.roundRobin();
        assertTrue(assertThrows(IllegalStateException.class, () -> LoadBalancer.builder()
                .pool("a", p -> p.selector(shared)).pool("b", p -> p.selector(shared)).build())
                .getMessage().startsWith("selector: pools 'a' and 'b' share one Selector instance"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LoadBalancer.builder()
                .pool("a", p -> p.backends("10.0.0.1:80", "10.0.0.1:80")).build())
                .getMessage().contains("is listed twice"));
        assertEquals("interval: PT0S (expected: > 0)", assertThrows(IllegalArgumentException.class,
                () -> HealthCheck.tcp().withInterval(Duration.ZERO)).getMessage());
    }

    @Test
    void anUnknownPoolIsNamedWithTheKnownOnes() {
        try (LoadBalancer lb = LoadBalancer.builder().pool("a", p -> { }).pool("b", p -> { }).build()) {
            assertEquals("pool: 'c' is not defined (defined: a, b)",
                    assertThrows(IllegalArgumentException.class, () -> lb.acquire("c", PickContext.EMPTY)).getMessage());
            assertFalse(lb.acquire("a", PickContext.EMPTY).found(), "an empty pool answers NONE");
        }
    }

    @Test
    void closeStopsEveryThreadItStarted() {
        LoadBalancer lb = LoadBalancer.builder()
                .pool("a", p -> p.backend("127.0.0.1:9").healthCheck(HealthCheck.tcp().withInterval(Duration.ofMillis(50))))
                .build()
                .start();
        Await.until(Duration.ofSeconds(10), "a probe ran",
                () -> lb.pool("a").member("127.0.0.1:9").orElseThrow().lastCheckNanos() >= 0);
        assertTrue(jlbThreads() > 0);
        assertThrows(IllegalStateException.class, lb::start);
        lb.close();
        lb.close();
        Await.until(Duration.ofSeconds(10), "jlb threads ended", () -> jlbThreads() == 0);
        assertFalse(lb.running());
    }

    private static long jlbThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("jlb-")).count();
    }
}
