package io.jlb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class SelectorProperties {

    @Property
    void aWeightedCycleGivesEachBackendExactlyItsWeightAndNoneRunsAheadOfItsShare(
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 1, max = 60) Integer> weights,
            @ForAll @IntRange(min = 0, max = 3) int cycleToCheck) {
        int n = weights.size();
        int[] w = weights.stream().mapToInt(Integer::intValue).toArray();
        Pool pool = TestPools.pool(Selector.weightedRoundRobin(), TestPools.backends(n, w));
        int gcd = 0;
        for (int x : w) {
            gcd = java.math.BigInteger.valueOf(gcd).gcd(java.math.BigInteger.valueOf(x)).intValue();
        }
        long total = 0;
        for (int x : w) {
            total += x / gcd;
        }
        for (long skip = 0; skip < total * cycleToCheck; skip++) {
            pool.pick(PickContext.EMPTY);
        }
        long[] picked = new long[n];
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < n; i++) {
            index.put(pool.members().get(i).backend().name(), i);
        }
        for (long step = 1; step <= total; step++) {
            int i = index.get(pool.pick(PickContext.EMPTY).backend().name());
            picked[i]++;
            // Never a whole pick ahead of the exact proportional share: picked < step × share + 1.
            assertTrue(picked[i] * total < step * (w[i] / gcd) + total,
                    () -> "backend " + i + " ran ahead of its share " + weights);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(w[i] / gcd, picked[i], "picks of backend " + i + " in one cycle of " + weights);
        }
    }

    @Property
    void theEarliestDeadlineScheduleForHugeCyclesIsAlsoExactAndSmooth(
            @ForAll @Size(min = 2, max = 12) List<@IntRange(min = 1, max = 60) Integer> weights) {
        int[] w = weights.stream().mapToInt(Integer::intValue).toArray();
        int length = weights.stream().mapToInt(Integer::intValue).sum();
        int[] cycle = SmoothWeightedSelector.earliestDeadline(w, length);
        long[] picked = new long[w.length];
        for (int step = 1; step <= length; step++) {
            int i = cycle[step - 1];
            picked[i]++;
            assertTrue(picked[i] * length < (long) step * w[i] + length, "ran ahead: " + weights);
        }
        for (int i = 0; i < w.length; i++) {
            assertEquals(w[i], picked[i]);
        }
    }

    @Property
    void roundRobinVisitsEveryEligibleBackendOncePerCycle(
            @ForAll @IntRange(min = 1, max = 40) int size,
            @ForAll @IntRange(min = 0, max = 100) int alreadyPicked,
            @ForAll @Size(max = 10) List<@IntRange(min = 0, max = 39) Integer> down) {
        Pool pool = TestPools.pool(Selector.roundRobin(), TestPools.backends(size));
        for (int d : down) {
            if (d < size) {
                pool.markDown(pool.members().get(d).backend().name(), "test");
            }
        }
        for (int i = 0; i < alreadyPicked; i++) {
            pool.pick(PickContext.EMPTY);
        }
        int eligible = pool.eligibleCount();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < eligible; i++) {
            seen.merge(pool.pick(PickContext.EMPTY).backend().name(), 1, Integer::sum);
        }
        assertEquals(eligible, seen.size());
        seen.forEach((name, count) -> assertEquals(1, count, name));
    }

    @Property(tries = 300)
    void noSelectorEverReturnsAnIneligibleBackend(
            @ForAll("selectorIndex") int selector,
            @ForAll @Size(min = 1, max = 16) List<@IntRange(min = 0, max = 6) Integer> states,
            @ForAll long seed) {
        Selector s = TestPools.allSelectors(seed).get(selector);
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < states.size(); i++) {
            Backend b = Backend.of("10.1.0." + (i + 1), 80).withWeight(1 + i % 3);
            backends.add(states.get(i) == 6 ? b.withBackup(true) : b);
        }
        Pool pool = TestPools.pool(s, backends);
        for (int i = 0; i < states.size(); i++) {
            String name = backends.get(i).name();
            switch (states.get(i)) {
                case 1 -> pool.markUp(name, "test");
                case 2 -> pool.markDown(name, "test");
                case 3 -> pool.drain(name);
                case 4 -> pool.eject(pool.member(name).orElseThrow(), 0);
                case 5 -> pool.member(name).orElseThrow().acquire();
                default -> { }
            }
        }
        boolean primaryEligible = pool.members().stream().anyMatch(m -> m.eligible() && !m.backend().backup());
        boolean anyEligible = pool.members().stream().anyMatch(Member::eligible);
        for (int k = 0; k < 200; k++) {
            Pick p = pool.pick(PickContext.ofKey("key-" + k));
            assertEquals(anyEligible, p.found(), s.name());
            if (p.found()) {
                assertTrue(p.member().eligible(), () -> s.name() + " picked " + p.member());
                assertEquals(!primaryEligible, p.backend().backup(), s.name() + " backup only as a last resort");
            }
        }
    }

    @Provide
    Arbitrary<Integer> selectorIndex() {
        return Arbitraries.integers().between(0, TestPools.allSelectors(0).size() - 1);
    }

    @Property(tries = 40)
    void removingOneOfNBackendsRemapsOnlyAboutOneNthOfKeys(
            @ForAll @IntRange(min = 2, max = 24) int n,
            @ForAll @IntRange(min = 0, max = 23) int leaverIndex,
            @ForAll("hashing") String algorithm) {
        int leaver = leaverIndex % n;
        Pool pool = TestPools.pool(Selector.named(algorithm), TestPools.backends(n));
        String[] before = owners(pool);
        String leaverName = pool.members().get(leaver).backend().name();
        pool.remove(leaverName);
        String[] after = owners(pool);
        int moved = 0;
        int movedFromOthers = 0;
        for (int k = 0; k < KEYS; k++) {
            if (!before[k].equals(after[k])) {
                moved++;
                if (!before[k].equals(leaverName)) {
                    movedFromOthers++;
                }
            }
        }
        assertTrue(moved <= KEYS * (1.0 / n + 0.05), algorithm + " moved " + moved + " of " + KEYS + " keys, n=" + n);
        if (algorithm.equals("ring-hash")) {
            assertEquals(0, movedFromOthers, "ring hash moves only the leaver's keys");
        }
    }

    @Property(tries = 40)
    void addingABackendMovesKeysOnlyToTheNewcomer(
            @ForAll @IntRange(min = 1, max = 24) int n,
            @ForAll("hashing") String algorithm) {
        Pool pool = TestPools.pool(Selector.named(algorithm), TestPools.backends(n));
        String[] before = owners(pool);
        Backend newcomer = Backend.of("10.9.9.9", 80);
        pool.add(newcomer);
        String[] after = owners(pool);
        int moved = 0;
        int movedElsewhere = 0;
        for (int k = 0; k < KEYS; k++) {
            if (!before[k].equals(after[k])) {
                moved++;
                if (!after[k].equals(newcomer.name())) {
                    movedElsewhere++;
                }
            }
        }
        assertTrue(moved <= KEYS * (1.0 / (n + 1) + 0.05), algorithm + " moved " + moved + ", n=" + n);
        if (algorithm.equals("ring-hash")) {
            assertEquals(0, movedElsewhere, "ring hash moves keys only to the newcomer");
        } else {
            assertTrue(movedElsewhere <= KEYS * 0.05, "maglev moved " + movedElsewhere + " keys between old backends");
        }
    }

    @Provide
    Arbitrary<String> hashing() {
        return Arbitraries.of("ring-hash", "maglev");
    }

    private static final int KEYS = 10_000;

    private static String[] owners(Pool pool) {
        String[] out = new String[KEYS];
        for (int k = 0; k < KEYS; k++) {
            out[k] = pool.pick(PickContext.ofKey("client-" + k)).backend().name();
        }
        return out;
    }

    @Property(tries = 50)
    void hashingSelectorsAreDeterministicAcrossInstances(@ForAll("hashing") String algorithm,
            @ForAll @IntRange(min = 1, max = 30) int n, @ForAll String key) {
        Pool one = TestPools.pool(Selector.named(algorithm), TestPools.backends(n));
        Pool two = TestPools.pool(Selector.named(algorithm), TestPools.backends(n));
        PickContext ctx = PickContext.ofKey(key);
        assertEquals(one.pick(ctx).backend().name(), two.pick(ctx).backend().name());
        assertFalse(one.pick(ctx).backend().name().isEmpty());
    }

    @Property(tries = 60)
    void leastConnectionsAlwaysPicksAMinimallyLoadedBackendAtAnyPoolSize(
            @ForAll @IntRange(min = 2, max = 300) int n,
            @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 299) Integer> operations,
            @ForAll boolean weighted) {
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            w[i] = weighted ? 1 + i % 5 : 1;
        }
        Pool pool = TestPools.pool(Selector.leastConnections(), TestPools.backends(n, w));
        List<Member> members = pool.members();
        List<List<Lease>> open = new ArrayList<>();
        members.forEach(m -> open.add(new ArrayList<>()));
        for (int op : operations) {
            int i = op % n;
            if (op % 3 == 2 && !open.get(i).isEmpty()) {
                open.get(i).remove(0).close();
            } else {
                open.get(i).add(members.get(i).acquire());
            }
            Member picked = pool.pick(PickContext.EMPTY).member();
            double least = members.stream().mapToDouble(m -> m.active() / (double) m.backend().weight()).min().orElseThrow();
            assertEquals(least, picked.active() / (double) picked.backend().weight(), 1e-9, "n=" + n);
        }
    }
}
