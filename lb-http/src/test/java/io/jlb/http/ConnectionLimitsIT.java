package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import io.jlb.core.testing.Await;
import io.jlb.nio.internal.ConnectionLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connection limits (security issue item 14): a listener takes at most as many connections as the process has
 * descriptors for, and near its limit it closes idle keep-alive connections soon, so that clients sending a request
 * now and then cannot hold every slot.
 */
@Timeout(60)
class ConnectionLimitsIT {
    private RawHttpBackend backend;
    private LoadBalancer lb;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        backend = RawHttpBackend.named("app");
        lb = LoadBalancer.builder().pool("app", p -> p.backend(backend.hostPort())).build();
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
        lb.close();
        backend.close();
    }

    private <T extends AutoCloseable> T later(T c) {
        cleanup.add(c);
        return c;
    }

    @Test
    void item14_withoutAConnectionLimitTheDescriptorLimitSetsOne() {
        HttpProxy proxy = later(HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).pool("app").threads(1)
                .build().start());
        long descriptors = ConnectionLimits.fileDescriptorLimit();
        assertTrue(descriptors > 0, "this platform reports its descriptor limit");
        assertEquals(ConnectionLimits.defaultMaxConnections(), proxy.maxConnections());
        assertTrue(proxy.maxConnections() > 0 && proxy.maxConnections() <= descriptors / 2,
                proxy.maxConnections() + " of " + descriptors);
    }

    @Test
    void item14_nearTheLimitIdleKeepAliveConnectionsAreClosedSoonAndNewClientsGetIn() throws Exception {
        HttpProxy proxy = later(HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).pool("app").threads(1)
                .maxConnections(10).timeouts(HttpTimeouts.defaults().withKeepAliveUnderLoad(Duration.ofMillis(300)))
                .build().start());
        List<RawClient> idle = new ArrayList<>();
        for (int i = 0; i < 7; i++) { // 70 %: keep-alive connections idle for the usual minute
            RawClient c = later(new RawClient(proxy.address()));
            c.send("GET /once HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals(200, c.read().status());
            idle.add(c);
        }
        List<RawClient> fresh = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // 100 %: now the idle ones must make room
            fresh.add(later(new RawClient(proxy.address())));
        }
        for (RawClient c : idle) {
            assertTrue(c.closedByPeer(), "an idle keep-alive connection was closed under load");
        }
        Await.until(Duration.ofSeconds(10), "slots were freed", () -> proxy.stats().activeConnections() <= 3);
        RawClient waiting = later(new RawClient(proxy.address()));
        waiting.send("GET /new HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(200, waiting.read().status(), "a client beyond the old limit got in");
    }
}
