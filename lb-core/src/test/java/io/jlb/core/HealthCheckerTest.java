package io.jlb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.testing.ManualClock;
import io.jlb.core.testing.ScriptedProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthCheckerTest {
    private final ManualClock clock = new ManualClock();
    private final ScriptedProbe probe = new ScriptedProbe();
    private final List<String> events = new ArrayList<>();

    private LoadBalancer start(HealthCheck check, String... backends) {
        LoadBalancer lb = LoadBalancer.builder()
                .pool("p", p -> p.backends(backends).healthCheck(check)
                        .outlierDetection(OutlierDetection.defaults().withConsecutiveFailures(2)))
                .ticker(clock).scheduler(clock).build();
        lb.pool("p").addListener(e -> events.add(e.member().backend().name() + " " + e.current().label()));
        return lb.start();
    }

    private HealthCheck everySecond() {
        return HealthCheck.of(probe).withInterval(Duration.ofSeconds(1)).withTimeout(Duration.ofMillis(500))
                .withJitter(0).withRise(2).withFall(3);
    }

    @Test
    void aBackendGoesUpOnItsFirstPassAndDownAfterFallFailures() {
        LoadBalancer lb = start(everySecond(), "10.0.0.1:80");
        Member m = lb.pool("p").member("10.0.0.1:80").orElseThrow();
        assertEquals(BackendState.UNKNOWN, m.state());
        probe.then("10.0.0.1:80", ProbeResult.up("ok"), ProbeResult.down("refused"), ProbeResult.down("refused"));
        clock.runDue();
        assertEquals(BackendState.UP, m.state());
        clock.advance(Duration.ofSeconds(2));
        assertEquals(BackendState.UP, m.state(), "two failures are fewer than fall=3");
        probe.standing("10.0.0.1:80", ProbeResult.down("refused"));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(BackendState.DOWN, m.state());
        assertEquals("refused", m.reason());
        assertTrue(lb.pool("p").panic(), "the only backend is down: the pool panics and uses it anyway");
        assertEquals(List.of("10.0.0.1:80 up", "10.0.0.1:80 down"), events);
        lb.close();
    }

    @Test
    void aDownBackendNeedsRisePassesInARowToComeBack() {
        LoadBalancer lb = start(everySecond(), "10.0.0.1:80");
        Member m = lb.pool("p").member("10.0.0.1:80").orElseThrow();
        probe.then("10.0.0.1:80", ProbeResult.down("x"), ProbeResult.down("x"), ProbeResult.down("x"),
                ProbeResult.up("ok"), ProbeResult.down("x"), ProbeResult.up("ok"), ProbeResult.up("ok"));
        clock.runDue();
        clock.advance(Duration.ofSeconds(2));
        assertEquals(BackendState.DOWN, m.state());
        clock.advance(Duration.ofSeconds(2));
        assertEquals(BackendState.DOWN, m.state(), "one pass, then a failure: the streak restarts");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(BackendState.DOWN, m.state());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(BackendState.UP, m.state());
        lb.close();
    }

    @Test
    void aProbeThatDoesNotAnswerInTimeFails() {
        LoadBalancer lb = start(everySecond().withFall(1), "10.0.0.1:80");
        Member m = lb.pool("p").member("10.0.0.1:80").orElseThrow();
        probe.hang("10.0.0.1:80");
        clock.runDue();
        assertEquals(BackendState.UNKNOWN, m.state());
        clock.advance(Duration.ofMillis(499));
        assertEquals(BackendState.UNKNOWN, m.state());
        clock.advance(Duration.ofMillis(1));
        assertEquals(BackendState.DOWN, m.state());
        assertEquals("timeout after 500ms", m.reason());
        lb.close();
    }

    @Test
    void probesRepeatAtTheIntervalAndStopForRemovedBackendsAndOnClose() {
        LoadBalancer lb = start(everySecond(), "10.0.0.1:80", "10.0.0.2:80");
        clock.runDue();
        clock.advance(Duration.ofSeconds(10));
        assertEquals(11, probe.calls("10.0.0.1:80"));
        lb.pool("p").remove("10.0.0.2:80");
        clock.advance(Duration.ofSeconds(5));
        assertEquals(11, probe.calls("10.0.0.2:80"));
        assertEquals(16, probe.calls("10.0.0.1:80"));
        lb.pool("p").add(Backend.parse("10.0.0.3:80"));
        clock.advance(Duration.ofSeconds(3));
        assertEquals(4, probe.calls("10.0.0.3:80"), "a new member is probed at once, then every second");
        lb.close();
        assertTrue(probe.closed());
        clock.advance(Duration.ofSeconds(5));
        assertEquals(19, probe.calls("10.0.0.1:80"));
        assertEquals(0, clock.pending());
    }

    @Test
    void jitterSpreadsProbesWithinTheConfiguredFraction() {
        LoadBalancer lb = start(everySecond().withJitter(0.2), "10.0.0.1:80");
        clock.advance(Duration.ofMillis(200)); // the first probe comes within a fifth of the interval
        assertEquals(1, probe.calls("10.0.0.1:80"));
        clock.advance(Duration.ofSeconds(100));
        int calls = probe.calls("10.0.0.1:80");
        assertTrue(calls >= 84 && calls <= 126, "about one a second, each 0.8 to 1.2 s apart: " + calls);
        lb.close();
    }

    @Test
    void passiveFailuresEjectAndAPassingProbeEndsTheEjectionEarly() {
        LoadBalancer lb = start(everySecond().withInterval(Duration.ofSeconds(5)), "10.0.0.1:80", "10.0.0.2:80");
        clock.runDue();
        Member m = lb.pool("p").member("10.0.0.1:80").orElseThrow();
        try (Lease lease = m.acquire()) {
            lease.failure();
        }
        m.acquire().failure();
        clock.runDue();
        assertEquals(BackendState.EJECTED, m.state());
        clock.advance(Duration.ofSeconds(5));
        assertEquals(BackendState.UP, m.state());
        assertEquals("ejection ended early: health check passed", m.reason());
        lb.close();
    }
}
