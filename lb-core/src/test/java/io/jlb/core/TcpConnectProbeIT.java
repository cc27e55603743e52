package io.jlb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.testing.Await;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TcpConnectProbeIT {
    @Test
    void passesWhenThePortAcceptsAndFailsWhenItRefuses() throws Exception {
        try (HealthProbe probe = HealthProbe.tcp(); ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Backend open = Backend.of("127.0.0.1", server.getLocalPort());
            ProbeResult up = probe.probe(open, Duration.ofSeconds(2)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertTrue(up.healthy(), up.reason());
            assertTrue(up.reason().startsWith("tcp connect in "), up.reason());
            int closedPort;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closedPort = s.getLocalPort();
            }
            ProbeResult down = probe.probe(Backend.of("127.0.0.1", closedPort), Duration.ofSeconds(2))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertFalse(down.healthy());
            assertTrue(down.reason().startsWith("tcp connect failed"), down.reason());
            ProbeResult unresolved = probe.probe(Backend.of("no-such-host.invalid", 80), Duration.ofSeconds(2))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertFalse(unresolved.healthy());
        }
    }

    @Test
    void aRealBackendGoesDownWhenItStopsListeningAndUpWhenItReturns() throws Exception {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = server.getLocalPort();
        try (LoadBalancer lb = LoadBalancer.builder()
                .pool("db", p -> p.backend(Backend.of("127.0.0.1", port))
                        .healthCheck(HealthCheck.tcp().withInterval(Duration.ofMillis(50)).withRise(2).withFall(2)))
                .build().start()) {
            Member m = lb.pool("db").members().get(0);
            Await.until(Duration.ofSeconds(10), "up", () -> m.state() == BackendState.UP);
            server.close();
            Await.until(Duration.ofSeconds(10), "down", () -> m.state() == BackendState.DOWN);
            try (ServerSocket again = new ServerSocket()) {
                again.setReuseAddress(true);
                again.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                Await.until(Duration.ofSeconds(10), "up again", () -> m.state() == BackendState.UP);
                assertEquals(BackendState.UP, m.state());
            }
        }
    }
}
