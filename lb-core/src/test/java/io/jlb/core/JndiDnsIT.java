package io.jlb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.testing.Await;
import io.jlb.core.testing.TestDnsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real DNS messages over loopback UDP: the JDK's JNDI provider against a small server the test controls. */
@Timeout(60)
class JndiDnsIT {
    @Test
    void readsAddressAndServiceRecordsFromTheGivenServer() throws Exception {
        try (TestDnsServer server = new TestDnsServer()) {
            server.addresses("api.test", "10.0.0.1", "10.0.0.2", "fd00::1");
            server.services("_api._tcp.test", "10 5 8080 node-a.test", "20 0 9090 node-b.test");
            DnsResolver dns = DnsResolver.servers(server.hostPort());
            assertEquals(List.of(InetAddress.getByName("10.0.0.1"), InetAddress.getByName("10.0.0.2"),
                    InetAddress.getByName("fd00::1")), dns.addresses("api.test"));
            assertEquals(List.of(new DnsResolver.Srv(10, 5, 8080, "node-a.test"), new DnsResolver.Srv(20, 0, 9090, "node-b.test")),
                    dns.services("_api._tcp.test"));
            IOException nx = assertThrows(IOException.class, () -> dns.addresses("nothing.test"));
            assertTrue(nx.getMessage().contains("NXDOMAIN"), nx.getMessage());
            IOException noSrv = assertThrows(IOException.class, () -> dns.services("api.test"));
            assertTrue(noSrv.getMessage().contains("no SRV record"), noSrv.getMessage());
        }
    }

    @Test
    void aPoolFollowsSrvRecordsThroughRealLookups() throws Exception {
        try (TestDnsServer server = new TestDnsServer()) {
            server.services("_web._tcp.test", "1 10 8080 a.test", "1 10 8080 b.test");
            server.addresses("a.test", "127.0.0.11");
            server.addresses("b.test", "127.0.0.12");
            try (LoadBalancer lb = LoadBalancer.builder().pool("web", p -> p.discover(DnsDiscovery.srv("_web._tcp.test")
                    .withResolver(DnsResolver.servers(server.hostPort())).withInterval(Duration.ofMillis(200))))
                    .build().start()) {
                assertEquals(Set.of("127.0.0.11:8080", "127.0.0.12:8080"), members(lb),
                        "start() waits for the first answer");
                server.services("_web._tcp.test", "1 10 8080 b.test", "1 10 8080 c.test");
                server.addresses("c.test", "127.0.0.13");
                Await.until(Duration.ofSeconds(20), "the pool follows the new records",
                        () -> members(lb).equals(Set.of("127.0.0.12:8080", "127.0.0.13:8080")));
                server.services("_web._tcp.test");
                int before = server.queries();
                Await.until(Duration.ofSeconds(20), "a failed lookup is reported",
                        () -> lb.discovery("web").orElseThrow().lastError() != null && server.queries() > before);
                assertEquals(Set.of("127.0.0.12:8080", "127.0.0.13:8080"), members(lb), "members kept on failure");
            }
        }
    }

    private static Set<String> members(LoadBalancer lb) {
        return lb.pool("web").members().stream().map(m -> m.backend().name()).collect(Collectors.toSet());
    }
}
