package io.jlb.http;

import io.jlb.core.Backend;
import io.jlb.core.Histogram;
import io.jlb.core.LoadBalancer;
import io.jlb.core.Member;
import io.jlb.core.Pool;
import io.jlb.http.internal.Json;
import io.jlb.nio.ListenerStats;
import java.time.Instant;

/**
 * The status as JSON ({@code GET /status}, and the pools and backends the admin API answers with): listeners with
 * their counters and the last minute's trend, pools, backends. Thread-safe: each call reads current values.
 */
final class AdminStatus {
    private final LoadBalancer lb;
    private final AdminListeners listeners;
    private final Trends trends;
    private final Instant started = Instant.now();
    private final long startedNanos = System.nanoTime();

    AdminStatus(LoadBalancer lb, AdminListeners listeners, Trends trends) {
        this.lb = lb;
        this.listeners = listeners;
        this.trends = trends;
    }

    /** Everything, as a JSON object. */
    String render() {
        Json j = new Json().beginObject();
        j.field("time", Instant.now().toString()).field("started", started.toString())
                .field("uptimeSeconds", (System.nanoTime() - startedNanos) / 1_000_000_000L);
        j.key("listeners").beginArray();
        for (AdminListeners.Named w : listeners.all()) {
            ListenerStats s = w.listener().stats();
            j.beginObject().field("name", w.name()).field("protocol", w.protocol()).field("address", w.address())
                    .field("accepted", s.accepted()).field("active", s.active())
                    .field("connectFailures", s.connectFailures()).field("retries", s.retries());
            s.report(new Fields(j));
            trend(j, trends.get(w.trendKey()));
            j.endObject();
        }
        j.endArray();
        j.key("pools").beginArray();
        for (Pool pool : lb.pools()) {
            pool(j, pool);
        }
        j.endArray();
        return j.endObject().toString();
    }

    /** One pool and its backends, as a JSON object. */
    String pool(Pool pool) {
        Json j = new Json();
        pool(j, pool);
        return j.toString();
    }

    /** One backend, as a JSON object. */
    String member(Member m) {
        Json j = new Json();
        member(j, m, lb.ticker().read());
        return j.toString();
    }

    /** What a listener reports for its protocol, as fields of its object. */
    private record Fields(Json j) implements ListenerStats.Report {
        @Override
        public void counter(String key, String metric, String help, long value) {
            j.field(key, value);
        }

        @Override
        public void gauge(String key, String metric, String help, long value) {
            j.field(key, value);
        }

        @Override
        public void counters(String key, String metric, String help, String label, String[] labelValues, long[] values) {
            j.key(key).beginObject();
            for (int i = 0; i < values.length; i++) {
                j.field(labelValues[i], values[i]);
            }
            j.endObject();
        }

        @Override
        public void histogram(String key, String metric, String help, Histogram histogram) {
            latency(j, key, histogram);
        }
    }

    private void pool(Json j, Pool pool) {
        j.beginObject().field("name", pool.name()).field("algorithm", pool.selectorName())
                .field("eligible", pool.eligibleCount()).field("size", pool.members().size())
                .field("active", pool.active()).field("panic", pool.panic());
        lb.discovery(pool.name()).ifPresent(d -> j.key("discovery").beginObject().field("query", d.query())
                .field("lookups", d.lookups()).field("failures", d.failures()).field("members", d.members())
                .field("lastError", d.lastError()).endObject());
        j.key("backends").beginArray();
        long now = lb.ticker().read();
        for (Member m : pool.members()) {
            member(j, m, now);
        }
        j.endArray().endObject();
    }

    private void member(Json j, Member m, long now) {
        Backend b = m.backend();
        j.beginObject().field("name", b.name()).field("address", b.authority()).field("state", m.state().label())
                .field("health", m.health().label()).field("weight", b.weight()).field("backup", b.backup())
                .field("slowStart", m.inSlowStart()).field("active", m.active()).field("total", m.total())
                .field("successes", m.successes()).field("failures", m.failures())
                .field("consecutiveFailures", m.consecutiveFailures()).field("connectFailures", m.connectFailures())
                .field("ejections", m.ejections()).field("bytesIn", m.bytesToBackend()).field("bytesOut", m.bytesFromBackend())
                .field("reason", m.reason());
        long checked = m.lastCheckNanos();
        j.field("lastCheckAgoMs", checked < 0 ? -1 : (now - checked) / 1_000_000);
        if (!b.metadata().isEmpty()) {
            j.key("metadata").beginObject();
            b.metadata().forEach(j::field);
            j.endObject();
        }
        j.key("responses").beginObject();
        for (int k = 1; k <= 5; k++) {
            j.field(k + "xx", m.responses(k));
        }
        j.endObject();
        latency(j, "latencyMs", m.durations());
        trend(j, trends.get(m));
        j.endObject();
    }

    /** The last minute, a sample a second, oldest first: rates, and p99s in ms (null for a second without any). */
    private static void trend(Json j, Trends.Series series) {
        j.key("trend").beginObject().key("rate").beginArray();
        if (series != null) {
            for (double r : series.rates()) {
                j.value(r);
            }
        }
        j.endArray().key("p99Ms").beginArray();
        if (series != null) {
            for (double p : series.p99Millis()) {
                if (Double.isNaN(p)) {
                    j.value((String) null);
                } else {
                    j.value(p);
                }
            }
        }
        j.endArray().endObject();
    }

    private static void latency(Json j, String key, Histogram h) {
        Histogram.Snapshot s = h.snapshot();
        j.key(key).beginObject().field("p50", s.quantile(0.5) / 1e6).field("p90", s.quantile(0.9) / 1e6)
                .field("p99", s.quantile(0.99) / 1e6).field("p999", s.quantile(0.999) / 1e6).field("count", s.count())
                .endObject();
    }
}
