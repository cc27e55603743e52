package io.jlb.http;

import io.jlb.core.BackendState;
import io.jlb.core.Histogram;
import io.jlb.core.LoadBalancer;
import io.jlb.core.Member;
import io.jlb.core.Pool;
import io.jlb.http.internal.Prometheus;
import io.jlb.nio.ListenerStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The Prometheus export ({@code GET /metrics}): listeners (the counters every listener keeps, then those each
 * reports for its protocol), pools, backends. Thread-safe: each call reads current values.
 */
final class AdminMetrics {
    private static final String LISTENER = "jlb_listener_";

    private final LoadBalancer lb;
    private final AdminListeners listeners;

    AdminMetrics(LoadBalancer lb, AdminListeners listeners) {
        this.lb = lb;
        this.listeners = listeners;
    }

    /** The export, in the Prometheus text format. */
    String render() {
        Prometheus p = new Prometheus();
        listenerMetrics(p);
        poolMetrics(p);
        backendMetrics(p);
        return p.toString();
    }

    private void listenerMetrics(Prometheus p) {
        listenerFamily(p, "connections_accepted_total", "counter", "Client connections (UDP: sessions) accepted.",
                ListenerStats::accepted);
        listenerFamily(p, "active_connections", "gauge", "Client connections (UDP: sessions) open now.",
                ListenerStats::active);
        listenerFamily(p, "connect_failures_total", "counter", "Failed backend connection attempts.",
                ListenerStats::connectFailures);
        listenerFamily(p, "retries_total", "counter", "Attempts made again on another backend.", ListenerStats::retries);
        Families reported = new Families();
        for (AdminListeners.Named w : listeners.all()) {
            reported.labels = w.labels();
            w.listener().stats().report(reported);
        }
        reported.writeTo(p);
    }

    private void listenerFamily(Prometheus p, String metric, String type, String help, ToLongFunction<ListenerStats> value) {
        p.family(LISTENER + metric, type, help);
        for (AdminListeners.Named w : listeners.all()) {
            p.sample(LISTENER + metric, value.applyAsLong(w.listener().stats()), w.labels());
        }
    }

    /**
     * Gathers what the listeners report, by family: each family is written once with all its samples, whichever
     * listeners reported it.
     */
    private static final class Families implements ListenerStats.Report {
        private final Map<String, Family> families = new LinkedHashMap<>();
        String[] labels;

        private record Family(String type, String help, List<Sample> samples) {}

        private record Sample(String[] labels, double value, Histogram histogram) {}

        private void add(String metric, String type, String help, Sample sample) {
            families.computeIfAbsent(LISTENER + metric, k -> new Family(type, help, new ArrayList<>())).samples.add(sample);
        }

        @Override
        public void counter(String key, String metric, String help, long value) {
            add(metric, "counter", help, new Sample(labels, value, null));
        }

        @Override
        public void gauge(String key, String metric, String help, long value) {
            add(metric, "gauge", help, new Sample(labels, value, null));
        }

        @Override
        public void counters(String key, String metric, String help, String label, String[] labelValues, long[] values) {
            for (int i = 0; i < values.length; i++) {
                String[] l = java.util.Arrays.copyOf(labels, labels.length + 2);
                l[labels.length] = label;
                l[labels.length + 1] = labelValues[i];
                add(metric, "counter", help, new Sample(l, values[i], null));
            }
        }

        @Override
        public void histogram(String key, String metric, String help, Histogram histogram) {
            add(metric, "histogram", help, new Sample(labels, 0, histogram));
        }

        void writeTo(Prometheus p) {
            families.forEach((name, f) -> {
                p.family(name, f.type, f.help);
                for (Sample s : f.samples) {
                    if (s.histogram != null) {
                        p.histogram(name, s.histogram.snapshot(), s.labels);
                    } else {
                        p.sample(name, s.value, s.labels);
                    }
                }
            });
        }
    }

    private void poolMetrics(Prometheus p) {
        p.family("jlb_pool_backends", "gauge", "Backends of the pool, by state.");
        for (Pool pool : lb.pools()) {
            for (BackendState state : BackendState.values()) {
                long n = pool.members().stream().filter(m -> m.state() == state).count();
                p.sample("jlb_pool_backends", n, "pool", pool.name(), "state", state.label());
            }
        }
        p.family("jlb_pool_eligible_backends", "gauge", "Backends new picks may land on.");
        lb.pools().forEach(pool -> p.sample("jlb_pool_eligible_backends", pool.eligibleCount(), "pool", pool.name()));
        p.family("jlb_pool_active_connections", "gauge", "Open leases (connections or requests) over the pool.");
        lb.pools().forEach(pool -> p.sample("jlb_pool_active_connections", pool.active(), "pool", pool.name()));
        p.family("jlb_pool_panic", "gauge", "1 when the pool is in panic mode.");
        lb.pools().forEach(pool -> p.sample("jlb_pool_panic", pool.panic() ? 1 : 0, "pool", pool.name()));
        p.family("jlb_pool_dns_lookups_total", "counter", "DNS discovery lookups of the pool's name.");
        lb.pools().forEach(pool -> lb.discovery(pool.name()).ifPresent(d ->
                p.sample("jlb_pool_dns_lookups_total", d.lookups(), "pool", pool.name())));
        p.family("jlb_pool_dns_failures_total", "counter", "DNS discovery lookups that failed (members kept).");
        lb.pools().forEach(pool -> lb.discovery(pool.name()).ifPresent(d ->
                p.sample("jlb_pool_dns_failures_total", d.failures(), "pool", pool.name())));
    }

    private void backendMetrics(Prometheus p) {
        backendFamily(p, "jlb_backend_up", "gauge", "1 when the backend may be picked.", m -> m.eligible() ? 1 : 0);
        p.family("jlb_backend_state", "gauge", "1 for the backend's current state.");
        forEachMember((pool, m) -> {
            for (BackendState s : BackendState.values()) {
                p.sample("jlb_backend_state", m.state() == s ? 1 : 0, "pool", pool.name(), "backend", m.backend().name(),
                        "state", s.label());
            }
        });
        backendFamily(p, "jlb_backend_weight", "gauge", "The configured weight.", m -> m.backend().weight());
        backendFamily(p, "jlb_backend_active_connections", "gauge", "Open leases: connections (L4) or requests (L7).",
                Member::active);
        backendFamily(p, "jlb_backend_selected_total", "counter", "Connections (L4) or requests (L7) sent to the backend.",
                Member::total);
        backendFamily(p, "jlb_backend_successes_total", "counter", "Uses reported as successful.", Member::successes);
        backendFamily(p, "jlb_backend_failures_total", "counter", "Uses reported as failed (connect failures, 5xx).",
                Member::failures);
        backendFamily(p, "jlb_backend_connect_failures_total", "counter", "Failed connection attempts.",
                Member::connectFailures);
        backendFamily(p, "jlb_backend_sent_bytes_total", "counter", "Bytes relayed to the backend (L4, tunnels).",
                Member::bytesToBackend);
        backendFamily(p, "jlb_backend_received_bytes_total", "counter", "Bytes relayed from the backend (L4, tunnels).",
                Member::bytesFromBackend);
        backendFamily(p, "jlb_backend_ejections_total", "counter", "Times passive detection ejected the backend.",
                Member::ejections);
        backendFamily(p, "jlb_backend_state_changes_total", "counter", "Health, draining and ejection transitions.",
                Member::stateChanges);
        p.family("jlb_backend_responses_total", "counter", "HTTP responses from the backend, by status class.");
        forEachMember((pool, m) -> {
            for (int c = 1; c <= 5; c++) {
                p.sample("jlb_backend_responses_total", m.responses(c), "pool", pool.name(), "backend", m.backend().name(),
                        "code_class", c + "xx");
            }
        });
        backendHistogram(p, "jlb_backend_connect_seconds", "Time to establish a connection to the backend.",
                Member::connectTimes);
        backendHistogram(p, "jlb_backend_first_byte_seconds",
                "Time from a request to the first byte of the backend's response.", Member::firstByteTimes);
        backendHistogram(p, "jlb_backend_duration_seconds", "Durations of exchanges (L7) or connections (L4).",
                Member::durations);
    }

    private interface MemberVisitor {
        void visit(Pool pool, Member m);
    }

    private void forEachMember(MemberVisitor v) {
        for (Pool pool : lb.pools()) {
            for (Member m : pool.members()) {
                v.visit(pool, m);
            }
        }
    }

    private void backendFamily(Prometheus p, String name, String type, String help, ToDoubleFunction<Member> value) {
        p.family(name, type, help);
        forEachMember((pool, m) -> p.sample(name, value.applyAsDouble(m), "pool", pool.name(), "backend", m.backend().name()));
    }

    private void backendHistogram(Prometheus p, String name, String help, Function<Member, Histogram> h) {
        p.family(name, "histogram", help);
        forEachMember((pool, m) -> p.histogram(name, h.apply(m).snapshot(), "pool", pool.name(), "backend", m.backend().name()));
    }
}
