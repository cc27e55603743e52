package io.jlb.core;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Checks one backend, asynchronously: the health checker calls {@link #probe} on its schedule and never waits on
 * the result with a thread. The checker enforces the timeout itself (and then cancels the returned stage's future,
 * which an implementation should use to release its resources); the probe is told it so that it can give up early.
 *
 * <pre>{@code
 * HealthCheck check = HealthCheck.of(HealthProbe.tcp()).withInterval(Duration.ofSeconds(2)).withFall(3);
 * }</pre>
 */
public interface HealthProbe extends AutoCloseable {
    /** Starts a probe of {@code backend}; the stage completes with the verdict. Must not block. */
    CompletionStage<ProbeResult> probe(Backend backend, Duration timeout);

    /** A short description, such as {@code tcp} or {@code http GET /health}. */
    default String describe() {
        return getClass().getSimpleName();
    }

    /** Releases what the probe holds (threads, connections). */
    @Override
    default void close() {
    }

    /** A probe that passes when a TCP connection to the backend's address is accepted. */
    static HealthProbe tcp() {
        return new TcpConnectProbe();
    }
}
