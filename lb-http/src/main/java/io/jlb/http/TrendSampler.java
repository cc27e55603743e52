package io.jlb.http;

import io.jlb.core.LoadBalancer;
import io.jlb.core.Member;
import io.jlb.core.Pool;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the last minute of each listener and backend once a second, on a daemon thread of its own: their rates
 * and latencies for the status page. Members and listeners that are gone are forgotten.
 */
final class TrendSampler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrendSampler.class);

    private final LoadBalancer lb;
    private final AdminListeners listeners;
    private final Trends trends = new Trends();
    private ScheduledExecutorService executor;

    TrendSampler(LoadBalancer lb, AdminListeners listeners) {
        this.lb = lb;
        this.listeners = listeners;
    }

    Trends trends() {
        return trends;
    }

    synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "jlb-admin-trends");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    /** Takes one sample of every listener and backend now. */
    void sample() {
        try {
            long now = System.nanoTime();
            Set<Object> live = new HashSet<>();
            for (AdminListeners.Named w : listeners.all()) {
                trends.sample(w.trendKey(), w.listener().stats().served(), w.listener().stats().durations(), now);
                live.add(w.trendKey());
            }
            for (Pool pool : lb.pools()) {
                for (Member m : pool.members()) {
                    trends.sample(m, m.total(), m.durations(), now);
                    live.add(m);
                }
            }
            trends.retain(live);
        } catch (RuntimeException e) {
            // a pool changing under the walk: the next second samples again
            LOG.debug("trend sampling", e);
        }
    }

    @Override
    public synchronized void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
