package io.jlb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.testing.ManualClock;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class DnsDiscoveryTest {
    /** Answers from maps the test changes; a name mapped to an exception fails. */
    static final class FakeResolver implements DnsResolver {
        final Map<String, Object> addresses = new ConcurrentHashMap<>();
        final Map<String, Object> services = new ConcurrentHashMap<>();
        int lookups;

        FakeResolver answer(String name, String... literals) {
            List<InetAddress> list = new ArrayList<>();
            for (String l : literals) {
                try {
                    list.add(InetAddress.getByName(l));
                } catch (IOException e) {
                    throw new IllegalArgumentException(l, e);
                }
            }
            addresses.put(name, list);
            return this;
        }

        FakeResolver srv(String name, DnsResolver.Srv... records) {
            services.put(name, List.of(records));
            return this;
        }

        FakeResolver fail(String name, String message) {
            addresses.put(name, new IOException(message));
            services.put(name, new IOException(message));
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<InetAddress> addresses(String host) throws IOException {
            lookups++;
            return (List<InetAddress>) answerOf(addresses, host);
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<Srv> services(String name) throws IOException {
            lookups++;
            return (List<Srv>) answerOf(services, name);
        }

        private static Object answerOf(Map<String, Object> map, String name) throws IOException {
            Object a = map.get(name);
            if (a == null) {
                throw new IOException("no such name '" + name + "' (NXDOMAIN)");
            }
            if (a instanceof IOException e) {
                throw e;
            }
            return a;
        }
    }

    private final ManualClock clock = new ManualClock();
    private final FakeResolver dns = new FakeResolver();

    private LoadBalancer start(DnsDiscovery discovery, String... staticBackends) {
        return LoadBalancer.builder().pool("api", p -> p.backends(staticBackends).selector("round-robin")
                .discover(discovery.withResolver(dns).withInterval(Duration.ofSeconds(10))))
                .ticker(clock).scheduler(clock).build().start();
    }

    private static Set<String> members(LoadBalancer lb) {
        return lb.pool("api").members().stream().map(m -> m.backend().name()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static BackendState state(LoadBalancer lb, String name) {
        return lb.pool("api").member(name).orElseThrow().state();
    }

    @Test
    void addressesBecomeMembersAndFollowTheAnswer() {
        dns.answer("api.internal", "10.0.0.1", "10.0.0.2");
        LoadBalancer lb = start(DnsDiscovery.addresses("api.internal", 8080).withWeight(3), "10.9.9.9:80");
        clock.runDue();
        assertEquals(Set.of("10.0.0.1:8080", "10.0.0.2:8080", "10.9.9.9:80"), members(lb));
        Backend discovered = lb.pool("api").member("10.0.0.1:8080").orElseThrow().backend();
        assertEquals(3, discovered.weight());
        assertEquals("api.internal", discovered.metadata().get("dns"));

        dns.answer("api.internal", "10.0.0.2", "10.0.0.3");
        clock.advance(Duration.ofSeconds(10));
        clock.runDue(); // the removal of the idle, drained member runs as its own task
        assertEquals(Set.of("10.0.0.2:8080", "10.0.0.3:8080", "10.9.9.9:80"), members(lb),
                "the newcomer is added, the vanished one drained and removed, the static one kept");
        DnsDiscovery.Status status = lb.discovery("api").orElseThrow();
        assertEquals(2, status.lookups());
        assertEquals(0, status.failures());
        assertEquals(2, status.members());
        assertNull(status.lastError());
        lb.close();
    }

    @Test
    void aVanishedBackendDrainsUntilIdleAndComesBackIfItReturnsFirst() {
        dns.answer("api.internal", "10.0.0.1", "10.0.0.2");
        LoadBalancer lb = start(DnsDiscovery.addresses("api.internal", 80));
        clock.runDue();
        Lease busy = lb.pool("api").member("10.0.0.1:80").orElseThrow().acquire();

        dns.answer("api.internal", "10.0.0.2");
        clock.advance(Duration.ofSeconds(10));
        assertEquals(BackendState.DRAINING, state(lb, "10.0.0.1:80"), "a connection is open: drained, not cut");
        for (int i = 0; i < 10; i++) {
            assertEquals("10.0.0.2:80", lb.pool("api").pick(PickContext.EMPTY).member().backend().name());
        }

        dns.answer("api.internal", "10.0.0.1", "10.0.0.2");
        clock.advance(Duration.ofSeconds(10));
        assertTrue(state(lb, "10.0.0.1:80").eligible(), "back in DNS before it drained: undrained");

        dns.answer("api.internal", "10.0.0.2");
        clock.advance(Duration.ofSeconds(10));
        assertEquals(BackendState.DRAINING, state(lb, "10.0.0.1:80"));
        busy.close();
        clock.runDue();
        assertEquals(Set.of("10.0.0.2:80"), members(lb), "removed once its last lease closed");
        lb.close();
    }

    @Test
    void aFailedLookupKeepsTheMembersAndIsReported() {
        dns.answer("api.internal", "10.0.0.1");
        LoadBalancer lb = start(DnsDiscovery.addresses("api.internal", 80));
        clock.runDue();
        dns.fail("api.internal", "timeout talking to 10.0.0.53");
        clock.advance(Duration.ofSeconds(10));
        assertEquals(Set.of("10.0.0.1:80"), members(lb));
        assertEquals(BackendState.UNKNOWN, state(lb, "10.0.0.1:80"));
        DnsDiscovery.Status failed = lb.discovery("api").orElseThrow();
        assertEquals(1, failed.failures());
        assertEquals("timeout talking to 10.0.0.53", failed.lastError());
        dns.addresses.remove("api.internal"); // NXDOMAIN: also a failure, not "no members"
        clock.advance(Duration.ofSeconds(10));
        assertEquals(Set.of("10.0.0.1:80"), members(lb));
        assertTrue(lb.discovery("api").orElseThrow().lastError().contains("NXDOMAIN"));
        dns.answer("api.internal", "10.0.0.1");
        clock.advance(Duration.ofSeconds(10));
        assertNull(lb.discovery("api").orElseThrow().lastError());
        lb.close();
    }

    @Test
    void srvRecordsGiveWeightsPortsAndBackups() {
        dns.srv("_api._tcp.service.consul",
                new DnsResolver.Srv(10, 5, 8080, "node-a.node.consul"),
                new DnsResolver.Srv(10, 0, 8081, "node-b.node.consul"),
                new DnsResolver.Srv(20, 70_00, 9090, "dr.node.consul"),
                new DnsResolver.Srv(10, 1, 8082, "gone.node.consul"));
        dns.answer("node-a.node.consul", "10.0.0.1");
        dns.answer("node-b.node.consul", "10.0.0.2", "10.0.0.22");
        dns.answer("dr.node.consul", "10.1.0.1");
        LoadBalancer lb = start(DnsDiscovery.srv("_api._tcp.service.consul"));
        clock.runDue();
        assertEquals(Set.of("10.0.0.1:8080", "10.0.0.2:8081", "10.0.0.22:8081", "10.1.0.1:9090"), members(lb),
                "a target without addresses is skipped, the others used");
        Backend a = lb.pool("api").member("10.0.0.1:8080").orElseThrow().backend();
        assertEquals(5, a.weight());
        assertFalse(a.backup());
        assertEquals("node-a.node.consul", a.metadata().get("srv-target"));
        assertEquals(1, lb.pool("api").member("10.0.0.2:8081").orElseThrow().backend().weight(), "SRV weight 0 counts as 1");
        Backend dr = lb.pool("api").member("10.1.0.1:9090").orElseThrow().backend();
        assertTrue(dr.backup(), "a higher priority number is a backup");
        assertEquals(Backend.MAX_WEIGHT, dr.weight());

        dns.srv("_api._tcp.service.consul", new DnsResolver.Srv(10, 9, 8080, "node-a.node.consul"),
                new DnsResolver.Srv(10, 1, 9090, "dr.node.consul"));
        clock.advance(Duration.ofSeconds(10));
        clock.runDue();
        assertEquals(Set.of("10.0.0.1:8080", "10.1.0.1:9090"), members(lb));
        assertEquals(9, lb.pool("api").member("10.0.0.1:8080").orElseThrow().backend().weight(), "re-weighted in place");
        assertFalse(lb.pool("api").member("10.1.0.1:9090").orElseThrow().backend().backup(), "promoted to primary");
        lb.close();
    }

    @Test
    void aBackendGivenByHandIsNotDiscoverysToRemove() {
        dns.answer("api.internal", "10.0.0.1");
        LoadBalancer lb = start(DnsDiscovery.addresses("api.internal", 80), "10.0.0.1:80");
        clock.runDue();
        dns.answer("api.internal", "10.0.0.2");
        clock.advance(Duration.ofSeconds(10));
        clock.runDue();
        assertEquals(Set.of("10.0.0.1:80", "10.0.0.2:80"), members(lb));
        assertTrue(state(lb, "10.0.0.1:80").eligible());
        lb.close();
    }

    @Test
    void instancesFedByTheSameNameAgreeOnWhereEachKeyGoes() {
        dns.answer("cache.internal", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5");
        List<LoadBalancer> instances = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ManualClock own = new ManualClock();
            LoadBalancer lb = LoadBalancer.builder().pool("cache", p -> p.selector("ring-hash")
                    .discover(DnsDiscovery.addresses("cache.internal", 6379).withResolver(dns)))
                    .ticker(own).scheduler(own).build().start();
            own.runDue();
            instances.add(lb);
        }
        for (int k = 0; k < 200; k++) {
            PickContext key = PickContext.ofKey("user-" + k);
            String first = instances.get(0).pick("cache", key).member().backend().name();
            for (LoadBalancer other : instances) {
                assertEquals(first, other.pick("cache", key).member().backend().name(), "key user-" + k);
            }
        }
        instances.forEach(LoadBalancer::close);
    }

    @Property(tries = 200)
    void membersAlwaysEndUpAsTheLatestAnswerPlusTheStaticOnes(
            @ForAll @Size(min = 1, max = 8) List<@Size(min = 1, max = 6) Set<@IntRange(min = 1, max = 8) Integer>> answers) {
        ManualClock clock = new ManualClock();
        FakeResolver resolver = new FakeResolver();
        resolver.answer("svc", literals(answers.get(0)));
        LoadBalancer lb = LoadBalancer.builder().pool("api", p -> p.backend("10.0.0.1:80")
                .discover(DnsDiscovery.addresses("svc", 80).withResolver(resolver)))
                .ticker(clock).scheduler(clock).build().start();
        for (Set<Integer> answer : answers) {
            resolver.answer("svc", literals(answer));
            clock.advance(DnsDiscovery.DEFAULT_INTERVAL);
            clock.runDue();
            Set<String> expected = new TreeSet<>();
            expected.add("10.0.0.1:80");
            answer.forEach(i -> expected.add("10.0.0." + i + ":80"));
            assertEquals(expected, members(lb), "after answer " + answer);
            assertTrue(lb.pool("api").members().stream().allMatch(Member::eligible), "nothing left draining");
        }
        lb.close();
    }

    private static String[] literals(Set<Integer> hosts) {
        return hosts.stream().map(i -> "10.0.0." + i).toArray(String[]::new);
    }

    @Test
    void badSettingsAreRefusedWithTheReason() {
        assertThrows(IllegalArgumentException.class, () -> DnsDiscovery.addresses("api", 0));
        assertThrows(IllegalArgumentException.class, () -> DnsDiscovery.addresses("bad name", 80));
        assertThrows(IllegalArgumentException.class, () -> DnsDiscovery.srv("x").withInterval(Duration.ofMillis(10)));
        assertThrows(IllegalArgumentException.class, () -> DnsDiscovery.srv("x").withWeight(0));
        assertThrows(IllegalArgumentException.class, DnsResolver::servers);
        assertEquals("_a._tcp.example", DnsDiscovery.srv("_a._tcp.example.").name());
    }
}
