package io.jlb.http;

import java.time.Duration;
import java.util.Objects;

/**
 * The L7 proxy's timeouts. Defaults: 10 s to receive a request head once it started (slowloris; answered 408),
 * 60 s of client inactivity (an idle keep-alive connection is closed, a stalled upload or download is cut),
 * 5 s to connect to a backend (then another is tried; 504 when none answers), 60 s of backend inactivity while
 * a response is awaited or streamed (504 before the response began), 30 s for an idle pooled backend connection,
 * and 2 s for an idle keep-alive client connection while the listener is near its connection limit (above 80 %):
 * then a client cannot hold a slot by sending one request a minute.
 *
 * @param header from the first byte of a request head to its end
 * @param clientIdle client inactivity: between requests, or while a body streams
 * @param connect backend connect
 * @param response backend inactivity during an exchange
 * @param backendIdle how long an idle pooled backend connection is kept
 * @param keepAliveUnderLoad how long a client connection may be idle between requests near the connection limit
 */
public record HttpTimeouts(Duration header, Duration clientIdle, Duration connect, Duration response,
        Duration backendIdle, Duration keepAliveUnderLoad) {
    /** Validates that each timeout is positive. */
    public HttpTimeouts {
        positive("header", header);
        positive("clientIdle", clientIdle);
        positive("connect", connect);
        positive("response", response);
        positive("backendIdle", backendIdle);
        positive("keepAliveUnderLoad", keepAliveUnderLoad);
    }

    /** The timeouts with a 2 s keep-alive under load. */
    public HttpTimeouts(Duration header, Duration clientIdle, Duration connect, Duration response, Duration backendIdle) {
        this(header, clientIdle, connect, response, backendIdle, Duration.ofSeconds(2));
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }

    /** 10 s header, 60 s client idle, 5 s connect, 60 s response, 30 s backend idle. */
    public static HttpTimeouts defaults() {
        return new HttpTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(5),
                Duration.ofSeconds(60), Duration.ofSeconds(30));
    }

    /** A copy with another header timeout. */
    public HttpTimeouts withHeader(Duration d) {
        return new HttpTimeouts(d, clientIdle, connect, response, backendIdle, keepAliveUnderLoad);
    }

    /** A copy with another client idle timeout. */
    public HttpTimeouts withClientIdle(Duration d) {
        return new HttpTimeouts(header, d, connect, response, backendIdle, keepAliveUnderLoad);
    }

    /** A copy with another connect timeout. */
    public HttpTimeouts withConnect(Duration d) {
        return new HttpTimeouts(header, clientIdle, d, response, backendIdle, keepAliveUnderLoad);
    }

    /** A copy with another response timeout. */
    public HttpTimeouts withResponse(Duration d) {
        return new HttpTimeouts(header, clientIdle, connect, d, backendIdle, keepAliveUnderLoad);
    }

    /** A copy with another keep-alive idle timeout near the connection limit. */
    public HttpTimeouts withKeepAliveUnderLoad(Duration d) {
        return new HttpTimeouts(header, clientIdle, connect, response, backendIdle, d);
    }

    /** A copy with another backend idle timeout. */
    public HttpTimeouts withBackendIdle(Duration d) {
        return new HttpTimeouts(header, clientIdle, connect, response, d, keepAliveUnderLoad);
    }
}
