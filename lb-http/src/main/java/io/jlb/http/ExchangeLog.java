package io.jlb.http;

import io.jlb.http.internal.HttpHead;
import io.jlb.nio.AccessLog;

/**
 * The access-log entry of the exchange in progress: what is captured when its head arrives (only while the log is
 * on), and the line written once when it ends. One per exchange, reused; loop-confined.
 */
final class ExchangeLog {
    private final AccessLog log;
    private final String listener;
    private boolean pending;
    private long startMillis;
    private String requestLine;
    private String referer;
    private String userAgent;
    private String requestId;

    ExchangeLog(AccessLog log, String listener) {
        this.log = log;
        this.listener = listener;
    }

    /** Starts an entry for a request with head {@code h} (null: a request cut short before its head was read). */
    void begin(HttpHead h) {
        if (log == null || !log.enabled()) {
            pending = false;
            return;
        }
        pending = true;
        startMillis = System.currentTimeMillis();
        if (h == null) {
            requestLine = null;
            referer = null;
            userAgent = null;
            requestId = null;
            return;
        }
        requestLine = h.methodName() + " " + h.target() + " HTTP/1." + h.minorVersion();
        referer = h.header("referer");
        userAgent = h.header("user-agent");
        requestId = h.header("x-request-id");
    }

    /** Whether an entry is waiting to be written. */
    boolean pending() {
        return pending;
    }

    /** Writes the entry once; fields the exchange knows at its end are given here. */
    void write(String clientIp, int status, long bytes, String pool, String upstream, int attempts, long firstByteNanos,
            long totalNanos, String madeRequestId, String outcome) {
        if (!pending) {
            return;
        }
        pending = false;
        StringBuilder before = new StringBuilder(24);
        AccessLog.token(before, clientIp).append(" - -");
        StringBuilder after = new StringBuilder(256).append('"');
        AccessLog.quoted(after, requestLine).append("\" ");
        if (status > 0) {
            after.append(status);
        } else {
            after.append('-');
        }
        after.append(' ').append(bytes).append(" \"");
        AccessLog.quoted(after, referer).append("\" \"");
        AccessLog.quoted(after, userAgent).append("\" listener=");
        AccessLog.token(after, listener).append(" pool=");
        AccessLog.token(after, pool).append(" upstream=");
        AccessLog.token(after, upstream).append(" attempts=").append(attempts).append(" ttfb_ms=");
        AccessLog.millis(after, firstByteNanos).append(" total_ms=");
        AccessLog.millis(after, totalNanos).append(" request_id=");
        AccessLog.token(after, madeRequestId != null ? madeRequestId : requestId).append(" outcome=").append(outcome);
        log.log(startMillis, before.toString(), after.toString());
        requestLine = null;
        referer = null;
        userAgent = null;
        requestId = null;
    }
}
