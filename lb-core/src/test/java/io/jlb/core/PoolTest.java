package io.jlb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PoolTest {
    private final ManualClock clock = new ManualClock();

    private Pool pool(Selector selector, Duration slowStart, OutlierDetection outliers, int panic, String... hp) {
        List<Backend> list = new ArrayList<>();
        for (String h : hp) {
            list.add(Backend.parse(h));
        }
        return new Pool("p", selector, clock, clock, slowStart, outliers, panic, list);
    }

    private Pool pool(String... hp) {
        return pool(Selector.roundRobin(), Duration.ZERO, OutlierDetection.defaults(), 0, hp);
    }

    @Test
    void drainingStopsNewPicksLetsOpenLeasesFinishAndSignalsWhenIdle() {
        Pool pool = pool("10.0.0.1:80", "10.0.0.2:80");
        Lease open = pool.member("10.0.0.1:80").orElseThrow().acquire();
        CompletableFuture<Void> idle = pool.drain("10.0.0.1:80");
        assertFalse(idle.isDone());
        for (int i = 0; i < 10; i++) {
            assertEquals("10.0.0.2:80", pool.pick(PickContext.EMPTY).backend().name());
        }
        assertEquals(BackendState.DRAINING, pool.member("10.0.0.1:80").orElseThrow().state());
        open.close();
        assertTrue(idle.isDone());
        pool.undrain("10.0.0.1:80");
        assertEquals(2, pool.eligibleCount());
    }

    @Test
    void removingABackendKeepsItsOpenLeasesCounting() {
        Pool pool = pool("10.0.0.1:80", "10.0.0.2:80");
        Member gone = pool.member("10.0.0.1:80").orElseThrow();
        Lease open = gone.acquire();
        assertTrue(pool.remove("10.0.0.1:80"));
        assertFalse(pool.remove("10.0.0.1:80"));
        assertTrue(gone.removed());
        assertFalse(gone.eligible());
        assertEquals(1, gone.active());
        assertEquals(1, pool.active());
        open.close();
        open.close();
        assertEquals(0, gone.active());
        assertEquals(0, pool.active());
    }

    @Test
    void replaceAndReweightKeepCountersAndState() {
        Pool pool = pool("10.0.0.1:80");
        Member m = pool.member("10.0.0.1:80").orElseThrow();
        m.acquire();
        pool.markDown("10.0.0.1:80", "maintenance");
        pool.reweight("10.0.0.1:80", 7);
        assertSame(m, pool.member("10.0.0.1:80").orElseThrow());
        assertEquals(7, m.backend().weight());
        assertEquals(1, m.active());
        assertEquals(BackendState.DOWN, m.state());
        pool.markBackup("10.0.0.1:80", true);
        assertTrue(m.backend().backup());
    }

    @Test
    void mistakesAreNamed() {
        Pool pool = pool("10.0.0.1:80");
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> pool.add(Backend.parse("10.0.0.1:80")));
        assertEquals("pool 'p': backend '10.0.0.1:80' is already a member", dup.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> pool.drain("nope"));
        assertEquals("pool 'p': no backend named 'nope' (members: 10.0.0.1:80)", unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pool.reweight("10.0.0.1:80", 0));
    }

    @Test
    void listenersHearEveryChangeInOrder() {
        Pool pool = pool("10.0.0.1:80");
        List<String> heard = new ArrayList<>();
        pool.addListener(e -> heard.add(e.type() + " " + e.member().backend().name() + " "
                + (e.previous() == null ? "-" : e.previous().label()) + ">" + e.current().label()));
        pool.add(Backend.parse("10.0.0.2:80"));
        pool.markUp("10.0.0.2:80", "ok");
        pool.drain("10.0.0.2:80");
        pool.reweight("10.0.0.2:80", 3);
        pool.remove("10.0.0.2:80");
        assertEquals(List.of("ADDED 10.0.0.2:80 ->unknown", "STATE_CHANGED 10.0.0.2:80 unknown>up",
                "STATE_CHANGED 10.0.0.2:80 up>draining", "UPDATED 10.0.0.2:80 draining>draining",
                "REMOVED 10.0.0.2:80 draining>draining"), heard);
    }

    @Test
    void aFailingListenerDoesNotBreakThePool() {
        Pool pool = pool("10.0.0.1:80");
        pool.addListener(e -> {
            throw new IllegalStateException("listener bug");
        });
        pool.add(Backend.parse("10.0.0.2:80"));
        assertEquals(2, pool.eligibleCount());
    }

    @Test
    void consecutiveFailuresEjectForAGrowingTimeAndSuccessResetsTheStreak() {
        Pool pool = pool(Selector.roundRobin(), Duration.ZERO, OutlierDetection.defaults()
                .withConsecutiveFailures(3).withBaseEjectionTime(Duration.ofSeconds(10)), 0,
                "10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80");
        Member m = pool.member("10.0.0.1:80").orElseThrow();
        m.recordFailure();
        m.recordFailure();
        m.recordSuccess();
        m.recordFailure();
        m.recordFailure();
        clock.runDue();
        assertEquals(BackendState.UNKNOWN, m.state(), "a success broke the streak");
        m.recordFailure();
        clock.runDue();
        assertEquals(BackendState.EJECTED, m.state());
        assertTrue(m.reason().startsWith("ejected for 10s after 3 consecutive failures"), m.reason());
        assertEquals(2, pool.eligibleCount());
        clock.advance(Duration.ofSeconds(10));
        assertEquals(BackendState.UNKNOWN, m.state());
        for (int i = 0; i < 3; i++) {
            m.recordFailure();
        }
        clock.runDue();
        assertTrue(m.reason().startsWith("ejected for 20s"), "second ejection in a row lasts longer: " + m.reason());
        clock.advance(Duration.ofSeconds(19));
        assertEquals(BackendState.EJECTED, m.state());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(BackendState.UNKNOWN, m.state());
        // After a quiet spell the multiplier decays back.
        clock.advance(Duration.ofMinutes(5));
        for (int i = 0; i < 3; i++) {
            m.recordFailure();
        }
        clock.runDue();
        assertTrue(m.reason().startsWith("ejected for 10s"), m.reason());
    }

    @Test
    void neverEjectsMoreThanTheAllowedShare() {
        Pool pool = pool(Selector.roundRobin(), Duration.ZERO,
                OutlierDetection.defaults().withConsecutiveFailures(1).withMaxEjectionPercent(50), 0,
                "10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80");
        for (Member m : pool.members()) {
            m.recordFailure();
        }
        clock.runDue();
        assertEquals(2, pool.members().stream().filter(Member::ejected).count());
        assertEquals(2, pool.eligibleCount());
    }

    @Test
    void theOnlyBackendIsNeverEjectedNorOneWhoseEjectionWouldMakeThePoolPanic() {
        Pool one = pool(Selector.roundRobin(), Duration.ZERO, OutlierDetection.defaults().withConsecutiveFailures(1), 50,
                "10.0.0.1:80");
        one.members().get(0).recordFailure();
        clock.runDue();
        assertFalse(one.members().get(0).ejected(), "ejecting the last backend would leave nothing to pick");
        Pool three = pool(Selector.roundRobin(), Duration.ZERO,
                OutlierDetection.defaults().withConsecutiveFailures(1).withMaxEjectionPercent(100), 50,
                "10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80");
        for (Member m : three.members()) {
            m.recordFailure();
        }
        clock.runDue();
        assertEquals(1, three.members().stream().filter(Member::ejected).count(), "a second would put 1 of 3 below 50%");
        assertFalse(three.panic());
    }

    @Test
    void gatewayErrorsCountAsFailuresByDefaultAndEvery5xxWhenAsked() {
        OutlierDetection.FailOn gateway = OutlierDetection.defaults().failOn();
        assertTrue(gateway.counts(502) && gateway.counts(503) && gateway.counts(504));
        assertFalse(gateway.counts(500) || gateway.counts(501) || gateway.counts(404));
        OutlierDetection.FailOn any = OutlierDetection.defaults().withFailOn(OutlierDetection.FailOn.ANY_5XX).failOn();
        assertTrue(any.counts(500) && any.counts(599));
        assertFalse(any.counts(499));
    }

    @Test
    void backupsServeBeforeThePoolPanics() {
        List<Backend> list = List.of(Backend.parse("10.0.0.1:80"), Backend.parse("10.0.0.2:80").withBackup(true));
        Pool pool = new Pool("p", Selector.roundRobin(), clock, clock, Duration.ZERO, OutlierDetection.disabled(), 50, list);
        Member primary = pool.member("10.0.0.1:80").orElseThrow();
        Member backup = pool.member("10.0.0.2:80").orElseThrow();
        assertTrue(primary.pickable());
        assertFalse(backup.pickable(), "a backup is not picked while a primary is");
        pool.markDown("10.0.0.1:80", "x");
        assertFalse(pool.panic());
        assertEquals("10.0.0.2:80", pool.pick(PickContext.EMPTY).backend().name());
        assertTrue(backup.pickable());
        assertFalse(primary.pickable());
        pool.markDown("10.0.0.2:80", "x");
        assertTrue(pool.panic(), "no backup left: the primaries are used anyway");
        assertEquals("10.0.0.1:80", pool.pick(PickContext.EMPTY).backend().name());
    }

    @Test
    void panicModeSpreadsOverAllPrimariesWhenTooFewAreHealthy() {
        Pool pool = pool(Selector.roundRobin(), Duration.ZERO, OutlierDetection.disabled(), 50,
                "10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80");
        pool.markDown("10.0.0.1:80", "x");
        assertFalse(pool.panic(), "2 of 3 healthy is above 50%");
        pool.markDown("10.0.0.2:80", "x");
        assertTrue(pool.panic());
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            seen.merge(pool.pick(PickContext.EMPTY).backend().name(), 1, Integer::sum);
        }
        assertEquals(3, seen.size());
    }

    @Test
    void slowStartRampsANewBackendUpOverTheWindow() {
        Pool pool = pool(Selector.weightedRoundRobin(), Duration.ofSeconds(16), OutlierDetection.disabled(), 0,
                "10.0.0.1:80", "10.0.0.2:80");
        pool.add(Backend.parse("10.0.0.3:80"));
        assertTrue(pool.member("10.0.0.3:80").orElseThrow().inSlowStart());
        assertEquals(1.0 / 33, share(pool, "10.0.0.3:80"), 0.01, "starts at 1/16 of a full weight");
        clock.advance(Duration.ofSeconds(8));
        assertEquals(8.0 / 40, share(pool, "10.0.0.3:80"), 0.01, "half way: half a weight");
        clock.advance(Duration.ofSeconds(8));
        assertFalse(pool.member("10.0.0.3:80").orElseThrow().inSlowStart());
        assertEquals(1.0 / 3, share(pool, "10.0.0.3:80"), 0.01);
        assertEquals(0, clock.pending(), "no more ramp steps once done");
    }

    @Test
    void slowStartAlsoRampsABackendThatComesBackUp() {
        Pool pool = pool(Selector.powerOfTwoChoices(), Duration.ofSeconds(10), OutlierDetection.disabled(), 0,
                "10.0.0.1:80", "10.0.0.2:80");
        pool.markDown("10.0.0.2:80", "x");
        pool.markUp("10.0.0.2:80", "back");
        assertTrue(pool.member("10.0.0.2:80").orElseThrow().inSlowStart());
        pool.markUp("10.0.0.1:80", "first check");
        assertFalse(pool.member("10.0.0.1:80").orElseThrow().inSlowStart(), "unknown to up is not a comeback");
    }

    private static double share(Pool pool, String name) {
        int hits = 0;
        int picks = 33 * 40;
        for (int i = 0; i < picks; i++) {
            if (pool.pick(PickContext.EMPTY).backend().name().equals(name)) {
                hits++;
            }
        }
        return hits / (double) picks;
    }
}
