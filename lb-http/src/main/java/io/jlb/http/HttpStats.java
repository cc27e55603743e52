package io.jlb.http;

import io.jlb.core.Histogram;
import io.jlb.nio.ListenerStats;
import io.jlb.nio.internal.ServerRuntime;
import java.util.concurrent.atomic.LongAdder;

/** Live counters of one HTTP proxy listener. Thread-safe; each read is current. */
public final class HttpStats implements ListenerStats {
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    final LongAdder requests = new LongAdder();
    final LongAdder activeRequests = new LongAdder(); // per-loop cells: no cache line shared across loops
    final LongAdder[] byClass = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};
    final LongAdder localResponses = new LongAdder();
    final LongAdder connectFailures = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder upgrades = new LongAdder();
    final LongAdder aborted = new LongAdder();
    final LongAdder rateLimited = new LongAdder();
    final LongAdder authFailures = new LongAdder();
    final LongAdder overflows = new LongAdder();
    final LongAdder retriesRefused = new LongAdder();
    final LongAdder tlsFailures = new LongAdder();
    final LongAdder http2Connections = new LongAdder();
    final LongAdder http2ActiveConnections = new LongAdder();
    final LongAdder http2Streams = new LongAdder();
    final LongAdder http2ActiveStreams = new LongAdder();
    final LongAdder http2ConnectionErrors = new LongAdder();
    private final LongAdder[] http2Limits = new LongAdder[Http2Limits.Kind.values().length];
    final Histogram firstByteTimes = new Histogram();
    final Histogram durations = new Histogram();
    private final ServerRuntime<?> runtime;

    HttpStats(ServerRuntime<?> runtime) {
        this.runtime = runtime;
        for (int i = 0; i < http2Limits.length; i++) {
            http2Limits[i] = new LongAdder();
        }
    }

    /** Client connections accepted. */
    public long connectionsAccepted() {
        return runtime.accepted();
    }

    /** Client connections open now. */
    public int activeConnections() {
        return runtime.active();
    }

    /** Client connections accepted. */
    @Override
    public long accepted() {
        return runtime.accepted();
    }

    /** Client connections open now. */
    @Override
    public int active() {
        return runtime.active();
    }

    /** Requests: the listener's rate counts them. */
    @Override
    public long served() {
        return requests();
    }

    /** Request heads received and parsed (valid or not). */
    public long requests() {
        return requests.sum();
    }

    /** Requests in progress now. */
    public int activeRequests() {
        return (int) activeRequests.sum();
    }

    /** Responses sent with a status of class {@code n}xx (1 to 5), from backends or the proxy itself. */
    public long responses(int statusClass) {
        if (statusClass < 1 || statusClass > 5) {
            throw new IllegalArgumentException("statusClass: " + statusClass + " (expected: 1 to 5)");
        }
        return byClass[statusClass - 1].sum();
    }

    /** Responses the proxy wrote itself (errors, no route, no backend). */
    public long localResponses() {
        return localResponses.sum();
    }

    /** Backend connection attempts that failed. */
    @Override
    public long connectFailures() {
        return connectFailures.sum();
    }

    /** Requests sent again to a backend after a failed attempt. */
    @Override
    public long retries() {
        return retries.sum();
    }

    /** Connections switched to a tunnel by 101 Switching Protocols. */
    public long upgrades() {
        return upgrades.sum();
    }

    /** Exchanges cut midway (a backend or client failed after the response began). */
    public long aborted() {
        return aborted.sum();
    }

    /** Requests refused by a rate limit (429). */
    public long rateLimited() {
        return rateLimited.sum();
    }

    /** Requests refused by authentication (401, 403). */
    public long authFailures() {
        return authFailures.sum();
    }

    /** Requests answered 503 by a circuit breaker: its queue full, or their wait too long. */
    public long overflows() {
        return overflows.sum();
    }

    /** Client connections whose TLS failed (handshake or later): garbage, an untrusted certificate, a reset. */
    public long tlsFailures() {
        return tlsFailures.sum();
    }

    /** Client connections that spoke HTTP/2. */
    public long http2Connections() {
        return http2Connections.sum();
    }

    /** HTTP/2 client connections open now (the rest of {@link #activeConnections()} speak HTTP/1.x). */
    public int http2ActiveConnections() {
        return (int) http2ActiveConnections.sum();
    }

    /** HTTP/2 streams opened by clients. */
    public long http2Streams() {
        return http2Streams.sum();
    }

    /** HTTP/2 streams open now. */
    public int http2ActiveStreams() {
        return (int) http2ActiveStreams.sum();
    }

    /** HTTP/2 connections closed for a protocol error (GOAWAY with an error code). */
    public long http2ConnectionErrors() {
        return http2ConnectionErrors.sum();
    }

    /**
     * Times an HTTP/2 limit tripped, by kind: {@code rapid_reset}, {@code continuation}, {@code hpack},
     * {@code header_list}, {@code flow_control}, {@code flood}, {@code glitches}; 0 for an unknown kind.
     */
    public long http2LimitTrips(String kind) {
        for (Http2Limits.Kind k : Http2Limits.Kind.values()) {
            if (k.label.equals(kind)) {
                return http2Limits[k.ordinal()].sum();
            }
        }
        return 0;
    }

    void http2Limit(Http2Limits.Kind kind) {
        http2Limits[kind.ordinal()].increment();
    }

    /** Retries the retry budget did not allow. */
    public long retriesRefused() {
        return retriesRefused.sum();
    }

    /** Times from a request's arrival to the first byte of its backend's response, in nanoseconds. */
    public Histogram firstByteTimes() {
        return firstByteTimes;
    }

    /** Durations of forwarded exchanges, from the request's arrival to the response's last byte, in nanoseconds. */
    @Override
    public Histogram durations() {
        return durations;
    }

    @Override
    public void report(Report report) {
        report.counter("requests", "requests_total", "HTTP requests received.", requests());
        report.gauge("activeRequests", "active_requests", "HTTP requests in progress.", activeRequests());
        long[] counts = new long[5];
        for (int c = 1; c <= 5; c++) {
            counts[c - 1] = responses(c);
        }
        report.counters("responses", "responses_total", "HTTP responses sent, by status class.", "code_class", CLASSES,
                counts);
        report.counter("localResponses", "local_responses_total", "HTTP responses the proxy wrote itself.",
                localResponses());
        report.counter("upgrades", "upgrades_total", "Connections switched to a tunnel by 101.", upgrades());
        report.counter("aborted", "aborted_total", "HTTP exchanges cut midway.", aborted());
        report.counter("rateLimited", "rate_limited_total", "HTTP requests refused by a rate limit.", rateLimited());
        report.counter("authFailures", "auth_failures_total", "HTTP requests refused by authentication.",
                authFailures());
        report.counter("overflows", "overflows_total", "HTTP requests refused by a circuit breaker.", overflows());
        report.counter("tlsFailures", "tls_failures_total", "Client connections whose TLS failed.", tlsFailures());
        report.counter("retriesRefused", "retries_refused_total", "Retries the retry budget did not allow.",
                retriesRefused());
        report.gauge("http2Connections", "http2_active_connections", "Client connections speaking HTTP/2 now.",
                http2ActiveConnections());
        report.counter("http2ConnectionsTotal", "http2_connections_total", "Client connections that spoke HTTP/2.",
                http2Connections());
        report.gauge("http2Streams", "http2_active_streams", "HTTP/2 streams open now.", http2ActiveStreams());
        report.counter("http2StreamsTotal", "http2_streams_total", "HTTP/2 streams opened by clients.", http2Streams());
        report.counter("http2ConnectionErrors", "http2_connection_errors_total",
                "HTTP/2 connections closed for a protocol error.", http2ConnectionErrors());
        Http2Limits.Kind[] kinds = Http2Limits.Kind.values();
        String[] labels = new String[kinds.length];
        long[] trips = new long[kinds.length];
        for (int i = 0; i < kinds.length; i++) {
            labels[i] = kinds[i].label;
            trips[i] = http2Limits[i].sum();
        }
        report.counters("http2LimitTrips", "http2_limit_trips_total", "HTTP/2 limits tripped, by kind.", "limit",
                labels, trips);
        report.histogram("latencyMs", "request_duration_seconds",
                "Forwarded HTTP exchanges, from request to last response byte.", durations);
        report.histogram("firstByteMs", "first_byte_seconds", "Time from an HTTP request to its response's first byte.",
                firstByteTimes);
    }

    void response(int status) {
        int c = status / 100;
        if (c >= 1 && c <= 5) {
            byClass[c - 1].increment();
        }
    }

    @Override
    public String toString() {
        return "requests=" + requests() + " active=" + activeRequests() + " 2xx=" + responses(2) + " 3xx="
                + responses(3) + " 4xx=" + responses(4) + " 5xx=" + responses(5) + " local=" + localResponses()
                + " connectFailures=" + connectFailures() + " retries=" + retries() + " upgrades=" + upgrades();
    }
}
