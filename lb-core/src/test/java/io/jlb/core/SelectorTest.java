package io.jlb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SelectorTest {
    private static final Rng SEEDED = new Random(7)::nextLong;

    private static List<String> picks(Pool pool, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(TestPools.name(pool.pick(PickContext.EMPTY)));
        }
        return out;
    }

    @Test
    void smoothWeightedInterleavesFiveOneOneAsNginxDoes() {
        Pool pool = TestPools.pool(Selector.weightedRoundRobin(), List.of(
                Backend.parse("10.0.0.1:80").withName("a").withWeight(5),
                Backend.parse("10.0.0.2:80").withName("b"),
                Backend.parse("10.0.0.3:80").withName("c")));
        assertEquals(List.of("a", "a", "b", "a", "c", "a", "a", "a", "a", "b", "a", "c", "a", "a"), picks(pool, 14));
    }

    @Test
    void roundRobinRotationSurvivesAPoolChange() {
        Pool pool = TestPools.pool(Selector.roundRobin(), "10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80");
        assertEquals(List.of("10.0.0.1:80", "10.0.0.2:80"), picks(pool, 2));
        pool.add(Backend.parse("10.0.0.4:80"));
        // The sequence continues at position 2 of the new membership instead of restarting at the first member.
        assertEquals(List.of("10.0.0.3:80", "10.0.0.4:80", "10.0.0.1:80"), picks(pool, 3));
    }

    @Test
    void roundRobinSkipsBackendsThatAreDownOrDraining() {
        Pool pool = TestPools.pool(Selector.roundRobin(), "10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80");
        pool.markDown("10.0.0.2:80", "test");
        pool.drain("10.0.0.3:80");
        assertEquals(List.of("10.0.0.1:80", "10.0.0.1:80", "10.0.0.1:80"), picks(pool, 3));
    }

    @Test
    void leastConnectionsPicksTheLeastLoadedPerUnitOfWeight() {
        Pool pool = TestPools.pool(new LeastConnectionsSelector(SEEDED), List.of(
                Backend.parse("10.0.0.1:80").withName("light").withWeight(1),
                Backend.parse("10.0.0.2:80").withName("heavy").withWeight(4)));
        Member light = pool.member("light").orElseThrow();
        Member heavy = pool.member("heavy").orElseThrow();
        light.acquire();
        // heavy takes four leases before its load per weight (4/4) matches light's (1/1).
        for (int i = 0; i < 3; i++) {
            Pick p = pool.pick(PickContext.EMPTY);
            assertSame(heavy, p.member());
            p.acquire();
        }
        Pick fourth = pool.pick(PickContext.EMPTY);
        assertSame(heavy, fourth.member(), "3/4 < 1/1");
        fourth.acquire();
        assertEquals(4, heavy.active());
        Set<String> tied = new HashSet<>(picks(pool, 50));
        assertEquals(Set.of("light", "heavy"), tied, "a tie goes to either, not always the first");
    }

    @Test
    void leastConnectionsBreaksTiesAcrossAllBackends() {
        Pool pool = TestPools.pool(new LeastConnectionsSelector(SEEDED), TestPools.backends(5));
        assertEquals(5, new HashSet<>(picks(pool, 200)).size());
    }

    @Test
    void leastConnectionsOnALargePoolBreaksTiesAcrossBackendsToo() {
        Pool pool = TestPools.pool(Selector.leastConnections(), TestPools.backends(500));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            Lease l = pool.acquire(PickContext.EMPTY);
            seen.add(l.backend().name());
            l.close();
        }
        assertTrue(seen.size() > 100, "idle backends take turns: " + seen.size());
    }

    @Test
    void powerOfTwoChoicesAvoidsTheLoadedBackend() {
        Pool pool = TestPools.pool(new PowerOfTwoChoicesSelector(SEEDED), "10.0.0.1:80", "10.0.0.2:80");
        Member busy = pool.member("10.0.0.1:80").orElseThrow();
        for (int i = 0; i < 10; i++) {
            busy.acquire();
        }
        assertTrue(picks(pool, 100).stream().allMatch("10.0.0.2:80"::equals));
    }

    @Test
    void weightedRandomFollowsWeights() {
        Pool pool = TestPools.pool(new RandomSelector(SEEDED), TestPools.backends(3, 1, 2, 3));
        Map<String, Integer> counts = count(picks(pool, 60_000));
        assertEquals(10_000, counts.get("10.0.0.1:80"), 600);
        assertEquals(20_000, counts.get("10.0.0.2:80"), 800);
        assertEquals(30_000, counts.get("10.0.0.3:80"), 900);
    }

    @Test
    void peakEwmaPrefersTheFastBackendAndRetriesTheSlowOneOnceItsSlownessDecays() {
        io.jlb.core.testing.ManualClock clock = new io.jlb.core.testing.ManualClock();
        Pool pool = TestPools.pool(new PeakEwmaSelector(SEEDED), clock, "10.0.0.1:80", "10.0.0.2:80");
        Member slow = pool.member("10.0.0.1:80").orElseThrow();
        Member fast = pool.member("10.0.0.2:80").orElseThrow();
        slow.recordSuccess(200_000_000L);
        fast.recordSuccess(1_000_000L);
        assertTrue(picks(pool, 50).stream().allMatch("10.0.0.2:80"::equals));
        // A minute on, the fast backend keeps reporting 1 ms while the slow one's 200 ms has decayed to ~0.5 ms.
        clock.advance(java.time.Duration.ofSeconds(60));
        fast.recordSuccess(1_000_000L);
        assertTrue(picks(pool, 10).stream().allMatch("10.0.0.1:80"::equals));
    }

    @Test
    void peakEwmaJumpsToASlowSampleAtOnce() {
        io.jlb.core.testing.ManualClock clock = new io.jlb.core.testing.ManualClock();
        Pool pool = TestPools.pool(Selector.peakEwma(), clock, "10.0.0.1:80");
        Member m = pool.member("10.0.0.1:80").orElseThrow();
        m.recordSuccess(1_000_000L);
        m.recordSuccess(50_000_000L);
        assertEquals(50_000_000.0, m.latencyEwmaNanos(), 1.0);
        clock.advance(java.time.Duration.ofSeconds(10));
        assertEquals(50_000_000.0 / Math.E, m.latencyEwmaNanos(), 1_000.0);
    }

    @Test
    void ringHashSendsAKeyToTheSameBackendAndSpreadsKeysEvenly() {
        Pool pool = TestPools.pool(Selector.ringHash(), TestPools.backends(4));
        Map<String, Integer> counts = new HashMap<>();
        for (int k = 0; k < 20_000; k++) {
            PickContext ctx = PickContext.ofKey("user-" + k);
            String first = TestPools.name(pool.pick(ctx));
            assertEquals(first, TestPools.name(pool.pick(ctx)));
            counts.merge(first, 1, Integer::sum);
        }
        counts.values().forEach(c -> assertEquals(5_000, c, 1_000, () -> "share " + counts)); // ~3 sigma of 256 points
    }

    @Test
    void maglevHonoursWeights() {
        Pool pool = TestPools.pool(Selector.maglev(), TestPools.backends(3, 1, 1, 2));
        Map<String, Integer> counts = new HashMap<>();
        for (int k = 0; k < 40_000; k++) {
            counts.merge(TestPools.name(pool.pick(PickContext.ofKey("k" + k))), 1, Integer::sum);
        }
        assertEquals(10_000, counts.get("10.0.0.1:80"), 800);
        assertEquals(20_000, counts.get("10.0.0.3:80"), 1_000);
    }

    @Test
    void boundedLoadHashingCapsEveryBackendAtTheLoadFactorTimesTheMean() {
        for (Selector s : List.of(Selector.ringHash(1.25), Selector.maglev(1.25))) {
            Pool pool = TestPools.pool(s, TestPools.backends(3));
            PickContext key = PickContext.ofKey("one-hot-key");
            Member home = pool.pick(key).member();
            List<Lease> leases = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                leases.add(pool.acquire(key));
                long cap = (long) Math.ceil(1.25 * pool.active() / 3);
                for (Member m : pool.members()) {
                    assertTrue(m.active() <= cap, s.name() + ": " + m + " above " + cap);
                }
            }
            assertTrue(home.active() >= 10, s.name() + ": the key's home backend takes its full share first");
            leases.forEach(Lease::close);
            assertSame(home, pool.pick(key).member(), s.name() + ": back home once load drops");
        }
    }

    @Test
    void ipHashKeysOnTheClientAddress() throws Exception {
        Pool pool = TestPools.pool(Selector.ipHash(), TestPools.backends(8));
        PickContext a = PickContext.of(java.net.InetAddress.getByName("192.0.2.10"));
        PickContext sameClientOtherPort = PickContext.of(new java.net.InetSocketAddress("192.0.2.10", 5555));
        assertSame(pool.pick(a).member(), pool.pick(sameClientOtherPort).member());
    }

    @Test
    void hashingWithoutAKeyStillPicks() {
        for (Selector s : List.of(Selector.ringHash(), Selector.maglev(), Selector.ringHash(2.0))) {
            Pool pool = TestPools.pool(s, TestPools.backends(3));
            assertTrue(pool.pick(PickContext.EMPTY).found(), s.name());
        }
    }

    @Test
    void everySelectorAnswersNoBackendWhenNoneIsEligible() {
        for (Selector s : TestPools.allSelectors(1)) {
            Pool pool = TestPools.pool(s, TestPools.backends(2));
            pool.markDown("10.0.0.1:80", "test");
            pool.drain("10.0.0.2:80");
            Pick pick = pool.pick(PickContext.ofKey("k"));
            assertSame(Pick.NO_BACKEND, pick, s.name());
            assertFalse(pool.acquire(PickContext.EMPTY).found());
            assertThrows(java.util.NoSuchElementException.class, pick::backend);
        }
    }

    @Test
    void backupsTakeTrafficOnlyWhenNoPrimaryIsEligible() {
        for (Selector s : TestPools.allSelectors(2)) {
            Pool pool = TestPools.pool(s, List.of(Backend.parse("10.0.0.1:80"),
                    Backend.parse("10.0.0.2:80").withBackup(true)));
            assertEquals("10.0.0.1:80", TestPools.name(pool.pick(PickContext.ofKey("x"))), s.name());
            pool.markDown("10.0.0.1:80", "test");
            assertEquals("10.0.0.2:80", TestPools.name(pool.pick(PickContext.ofKey("x"))), s.name());
        }
    }

    @Test
    void namedKnowsEveryBuiltInAndRejectsTyposClearly() {
        for (String name : Selector.names()) {
            assertEquals(name, Selector.named(name).name());
        }
        assertEquals("least-connections", Selector.named("LeastConn").name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Selector.named("round-robbin"));
        assertTrue(e.getMessage().startsWith("algorithm: 'round-robbin' (expected: one of round-robin, weighted"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Selector.ringHash(1.0));
    }

    @Test
    void pickOtherAvoidsTheFailedBackendWhereItCan() {
        for (Selector s : TestPools.allSelectors(3)) {
            Pool pool = TestPools.pool(s, TestPools.backends(3));
            PickContext key = PickContext.ofKey("k");
            Member first = pool.pick(key).member();
            assertNotEquals(first, pool.pickOther(key, first).member(), s.name());
        }
        Pool single = TestPools.pool(Selector.roundRobin(), TestPools.backends(1));
        Member only = single.pick(PickContext.EMPTY).member();
        assertSame(only, single.pickOther(PickContext.EMPTY, only).member());
    }

    private static Map<String, Integer> count(List<String> names) {
        Map<String, Integer> m = new HashMap<>();
        names.forEach(n -> m.merge(n, 1, Integer::sum));
        return m;
    }
}
