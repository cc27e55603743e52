package io.jlb.http;

/**
 * HTTP/2 toward clients: whether it is offered, the SETTINGS this side announces, and the limits that protect the
 * proxy from abusive peers. Immutable.
 *
 * <pre>{@code
 * HttpProxy.builder().http2(Http2Settings.defaults().withMaxConcurrentStreams(256).withInitialWindow(1 << 20))
 * }</pre>
 *
 * @param enabled whether HTTP/2 is offered: ALPN {@code h2} on TLS listeners, prior knowledge on cleartext ones
 * @param maxConcurrentStreams SETTINGS_MAX_CONCURRENT_STREAMS: streams a client may have open at once
 * @param initialWindow SETTINGS_INITIAL_WINDOW_SIZE: request body bytes a stream may send before the proxy has
 *     forwarded them (what one stream can make the proxy hold)
 * @param connectionWindow the connection's receive window: request body bytes of all streams in flight
 * @param maxFrameSize SETTINGS_MAX_FRAME_SIZE: the largest frame payload accepted
 * @param maxHeaderListSize SETTINGS_MAX_HEADER_LIST_SIZE: decoded header fields of a request (RFC 9113 §6.5.2 size);
 *     0 for the listener's request head limit
 * @param headerTableSize SETTINGS_HEADER_TABLE_SIZE: the HPACK table the client may use
 * @param maxStreamsPerConnection streams after which the connection is drained with GOAWAY (the client reconnects)
 * @param maxGlitches protocol misbehaviour tolerated on one connection (streams reset before their response, empty
 *     or tiny frames, needless WINDOW_UPDATEs, excess SETTINGS and PINGs) before it is closed with ENHANCE_YOUR_CALM
 * @param maxContinuations CONTINUATION frames one header block may take
 */
public record Http2Settings(boolean enabled, int maxConcurrentStreams, int initialWindow, int connectionWindow,
        int maxFrameSize, int maxHeaderListSize, int headerTableSize, long maxStreamsPerConnection, int maxGlitches,
        int maxContinuations) {

    /** On, 128 streams, 64 KiB stream windows, a 1 MiB connection window, 16 KiB frames, 4 KiB HPACK table. */
    public static Http2Settings defaults() {
        return new Http2Settings(true, 128, 65_535, 1 << 20, 16_384, 0, 4096, 1_000_000, 1000, 32);
    }

    /** HTTP/2 off: TLS listeners offer http/1.1 only; a cleartext preface is answered as a bad HTTP/1.1 request. */
    public static Http2Settings disabled() {
        return defaults().withEnabled(false);
    }

    public Http2Settings {
        check("maxConcurrentStreams", maxConcurrentStreams, 1, 100_000);
        check("initialWindow", initialWindow, 1024, Integer.MAX_VALUE);
        check("connectionWindow", connectionWindow, 65_535, Integer.MAX_VALUE);
        check("maxFrameSize", maxFrameSize, 16_384, 16_777_215);
        check("maxHeaderListSize", maxHeaderListSize, 0, 16 << 20);
        check("headerTableSize", headerTableSize, 0, 1 << 20);
        if (maxStreamsPerConnection < 1) {
            throw new IllegalArgumentException("maxStreamsPerConnection: " + maxStreamsPerConnection + " (expected: >= 1)");
        }
        check("maxGlitches", maxGlitches, 0, Integer.MAX_VALUE);
        check("maxContinuations", maxContinuations, 0, 10_000);
    }

    private static void check(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + " to " + max + ")");
        }
    }

    public Http2Settings withEnabled(boolean value) {
        return new Http2Settings(value, maxConcurrentStreams, initialWindow, connectionWindow, maxFrameSize,
                maxHeaderListSize, headerTableSize, maxStreamsPerConnection, maxGlitches, maxContinuations);
    }

    public Http2Settings withMaxConcurrentStreams(int value) {
        return new Http2Settings(enabled, value, initialWindow, connectionWindow, maxFrameSize, maxHeaderListSize,
                headerTableSize, maxStreamsPerConnection, maxGlitches, maxContinuations);
    }

    public Http2Settings withInitialWindow(int value) {
        return new Http2Settings(enabled, maxConcurrentStreams, value, connectionWindow, maxFrameSize, maxHeaderListSize,
                headerTableSize, maxStreamsPerConnection, maxGlitches, maxContinuations);
    }

    public Http2Settings withConnectionWindow(int value) {
        return new Http2Settings(enabled, maxConcurrentStreams, initialWindow, value, maxFrameSize, maxHeaderListSize,
                headerTableSize, maxStreamsPerConnection, maxGlitches, maxContinuations);
    }

    public Http2Settings withMaxFrameSize(int value) {
        return new Http2Settings(enabled, maxConcurrentStreams, initialWindow, connectionWindow, value,
                maxHeaderListSize, headerTableSize, maxStreamsPerConnection, maxGlitches, maxContinuations);
    }

    public Http2Settings withMaxHeaderListSize(int value) {
        return new Http2Settings(enabled, maxConcurrentStreams, initialWindow, connectionWindow, maxFrameSize, value,
                headerTableSize, maxStreamsPerConnection, maxGlitches, maxContinuations);
    }

    public Http2Settings withHeaderTableSize(int value) {
        return new Http2Settings(enabled, maxConcurrentStreams, initialWindow, connectionWindow, maxFrameSize,
                maxHeaderListSize, value, maxStreamsPerConnection, maxGlitches, maxContinuations);
    }

    public Http2Settings withMaxStreamsPerConnection(long value) {
        return new Http2Settings(enabled, maxConcurrentStreams, initialWindow, connectionWindow, maxFrameSize,
                maxHeaderListSize, headerTableSize, value, maxGlitches, maxContinuations);
    }

    public Http2Settings withMaxGlitches(int value) {
        return new Http2Settings(enabled, maxConcurrentStreams, initialWindow, connectionWindow, maxFrameSize,
                maxHeaderListSize, headerTableSize, maxStreamsPerConnection, value, maxContinuations);
    }

    public Http2Settings withMaxContinuations(int value) {
        return new Http2Settings(enabled, maxConcurrentStreams, initialWindow, connectionWindow, maxFrameSize,
                maxHeaderListSize, headerTableSize, maxStreamsPerConnection, maxGlitches, value);
    }
}
