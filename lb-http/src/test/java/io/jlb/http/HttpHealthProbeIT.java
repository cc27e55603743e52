package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.Backend;
import io.jlb.core.BackendState;
import io.jlb.core.HealthCheck;
import io.jlb.core.LoadBalancer;
import io.jlb.core.Member;
import io.jlb.core.ProbeResult;
import io.jlb.core.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HttpHealthProbeIT {
    private static ProbeResult run(HttpHealthProbe probe, RawHttpBackend backend) throws Exception {
        return probe.probe(Backend.parse(backend.hostPort()), Duration.ofSeconds(2)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void judgesStatusAndBody() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        try (RawHttpBackend backend = new RawHttpBackend("health", (req, s, out) -> {
                    RawHttpBackend.respond(out, status.get(), "{\"status\":\"ok\"}");
                    return false;
                });
                HttpHealthProbe plain = HttpHealthProbe.parse("/health");
                HttpHealthProbe strict = HttpHealthProbe.parse("/health,expect=200-299,body=\"ok\"")) {
            ProbeResult up = run(plain, backend);
            assertTrue(up.healthy(), up.reason());
            assertTrue(up.reason().startsWith("HTTP 200 in "), up.reason());
            assertTrue(run(strict, backend).healthy());
            status.set(302);
            assertTrue(run(plain, backend).healthy(), "3xx passes the default range");
            ProbeResult redirect = run(strict, backend);
            assertFalse(redirect.healthy());
            assertEquals("HTTP 302 (expected 200-299)", redirect.reason());
            status.set(503);
            assertEquals("HTTP 503 (expected 200-399)", run(plain, backend).reason());
            RawHttpBackend.Request sent = backend.requests().get(0);
            assertEquals("GET", sent.method());
            assertEquals("/health", sent.target());
            assertEquals(backend.hostPort(), sent.header("host"));
        }
    }

    @Test
    void aBodyWithoutTheTextFails() throws Exception {
        try (RawHttpBackend backend = new RawHttpBackend("wrong", (req, s, out) -> {
                    out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nerror\r\n0\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    return false;
                });
                HttpHealthProbe probe = HttpHealthProbe.parse("/,body=ready")) {
            assertEquals("HTTP 200, body lacks 'ready'", run(probe, backend).reason());
        }
    }

    @Test
    void aRefusedOrSilentBackendFails() throws Exception {
        try (HttpHealthProbe probe = HttpHealthProbe.parse("/");
                RawHttpBackend silent = new RawHttpBackend("silent", (req, s, out) -> {
                    s.getInputStream().read();
                    return false;
                })) {
            int dead = HttpProxyIT.freePort();
            ProbeResult refused = probe.probe(Backend.of("127.0.0.1", dead), Duration.ofSeconds(2))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertTrue(refused.reason().startsWith("connection failed"), refused.reason());
            ProbeResult slow = probe.probe(Backend.parse(silent.hostPort()), Duration.ofMillis(200))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals("timeout", slow.reason());
        }
    }

    @Test
    void drivesTheHealthCheckerOverRealSockets() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        try (RawHttpBackend backend = new RawHttpBackend("flappy", (req, s, out) -> {
                    RawHttpBackend.respond(out, status.get(), "x");
                    return false;
                });
                LoadBalancer lb = LoadBalancer.builder().pool("p", p -> p.backend(backend.hostPort())
                        .healthCheck(HealthCheck.of(HttpHealthProbe.parse("/healthz")).withInterval(Duration.ofMillis(50))
                                .withFall(2).withRise(2))).build().start()) {
            Member m = lb.pool("p").members().get(0);
            Await.until(Duration.ofSeconds(10), "up", () -> m.state() == BackendState.UP);
            status.set(500);
            Await.until(Duration.ofSeconds(10), "down", () -> m.state() == BackendState.DOWN);
            assertEquals("HTTP 500 (expected 200-399)", m.reason());
            status.set(204);
            Await.until(Duration.ofSeconds(10), "up again", () -> m.state() == BackendState.UP);
        }
    }

    @Test
    void badSpecsAreNamed() {
        assertEquals("http health check: unknown option 'expects' (expected: expect, body, method, host)",
                assertThrows(IllegalArgumentException.class, () -> HttpHealthProbe.parse("/,expects=200")).getMessage());
        assertEquals("http health check: expect=2xx (expected: a status or range such as 200-399)",
                assertThrows(IllegalArgumentException.class, () -> HttpHealthProbe.parse("/,expect=2xx")).getMessage());
        assertEquals("http health check path: 'health' (expected: /path without spaces)",
                assertThrows(IllegalArgumentException.class, () -> HttpHealthProbe.parse("health")).getMessage());
    }
}
