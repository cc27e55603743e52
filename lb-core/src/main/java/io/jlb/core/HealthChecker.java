package io.jlb.core;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a pool's {@link HealthCheck}: one probe chain per member, each probe scheduled after the previous one ends.
 * Follows membership through a pool listener; results go to the pool's writer, which applies rise and fall.
 */
final class HealthChecker implements PoolListener {
    private final Pool pool;
    private final HealthCheck check;
    private final Scheduler scheduler;
    private final Rng rng;
    private final Map<Member, Scheduler.Cancellable> next = new ConcurrentHashMap<>();
    private volatile boolean running;

    HealthChecker(Pool pool, HealthCheck check, Scheduler scheduler, Rng rng) {
        this.pool = pool;
        this.check = check;
        this.scheduler = scheduler;
        this.rng = rng;
    }

    void start() {
        running = true;
        pool.addListener(this);
        for (Member m : pool.members()) {
            schedule(m, firstDelay());
        }
    }

    void stop() {
        running = false;
        pool.removeListener(this);
        next.values().forEach(Scheduler.Cancellable::cancel);
        next.clear();
    }

    @Override
    public void onEvent(PoolEvent event) {
        if (event.type() == PoolEvent.Type.ADDED) {
            schedule(event.member(), firstDelay());
        } else if (event.type() == PoolEvent.Type.REMOVED) {
            Scheduler.Cancellable c = next.remove(event.member());
            if (c != null) {
                c.cancel();
            }
        }
    }

    private void schedule(Member m, Duration delay) {
        if (running && !m.removed()) {
            next.put(m, scheduler.schedule(delay, () -> probe(m)));
        }
    }

    private void probe(Member m) {
        if (!running || m.removed()) {
            return;
        }
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<ProbeResult> future;
        try {
            future = check.probe().probe(m.backend(), check.timeout()).toCompletableFuture();
        } catch (RuntimeException e) {
            future = CompletableFuture.completedFuture(ProbeResult.down("probe failed: " + TcpConnectProbe.describe(e)));
        }
        CompletableFuture<ProbeResult> inFlight = future;
        Scheduler.Cancellable timeout = scheduler.schedule(check.timeout(), () -> {
            if (done.compareAndSet(false, true)) {
                inFlight.cancel(false);
                finish(m, ProbeResult.down("timeout after " + Durations.format(check.timeout())));
            }
        });
        inFlight.whenComplete((result, error) -> {
            if (done.compareAndSet(false, true)) {
                timeout.cancel();
                finish(m, result != null ? result
                        : ProbeResult.down("probe failed: " + TcpConnectProbe.describe(error)));
            }
        });
    }

    private void finish(Member m, ProbeResult result) {
        if (!running) {
            return;
        }
        pool.probed(m, result, check);
        schedule(m, nextDelay());
    }

    /** The first probe of a member comes soon, spread over a fifth of the interval (unless jitter is off). */
    private Duration firstDelay() {
        return check.jitter() == 0 ? Duration.ZERO : Duration.ofNanos(randomUpTo(check.interval().toNanos() / 5));
    }

    /** The interval, varied uniformly by ± jitter × interval. */
    private Duration nextDelay() {
        long interval = check.interval().toNanos();
        long spread = (long) (interval * check.jitter());
        return Duration.ofNanos(interval - spread + randomUpTo(2 * spread));
    }

    private long randomUpTo(long bound) {
        if (bound <= 0) {
            return 0;
        }
        int fraction = rng.nextInt(1 << 20);
        return (long) (bound * (fraction / (double) (1 << 20)));
    }
}
