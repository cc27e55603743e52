package io.jlb.examples;

import io.jlb.http.Http2Settings;
import java.util.Set;

/**
 * HTTP/2 toward clients as the command and the file write it: {@code --http2 on|off[,max-concurrent-streams=N,...]}
 * and a listener's {@code http2: off} or {@code http2: {enabled: on, max-concurrent-streams: N, ...}}.
 */
final class Http2Specs {
    static final String HELP = "HTTP/2 toward clients (default on: ALPN h2 with TLS, prior knowledge without); "
            + "settings max-concurrent-streams=128, initial-window=64k, connection-window=1m, max-frame-size=16k, "
            + "max-header-list=SIZE (default: --max-header-bytes), header-table-size=4k, "
            + "max-streams-per-connection=N, max-glitches=1000, max-continuations=32";

    private Http2Specs() {}

    /** {@code --http2 SPEC}; null when not given. */
    static Http2Settings fromOption(String spec) {
        return spec == null ? null : of(Settings.spec("--http2", spec, "enabled", Set.of()));
    }

    static Http2Settings of(Settings s) {
        s.allow("enabled", "max-concurrent-streams", "initial-window", "connection-window", "max-frame-size",
                "max-header-list", "header-table-size", "max-streams-per-connection", "max-glitches",
                "max-continuations");
        Http2Settings h = Http2Settings.defaults();
        try {
            if (s.has("enabled")) {
                h = h.withEnabled(s.bool("enabled"));
            }
            if (s.has("max-concurrent-streams")) {
                h = h.withMaxConcurrentStreams(s.integer("max-concurrent-streams", 1, 100_000));
            }
            if (s.has("initial-window")) {
                h = h.withInitialWindow(window(s, "initial-window"));
            }
            if (s.has("connection-window")) {
                h = h.withConnectionWindow(window(s, "connection-window"));
            }
            if (s.has("max-frame-size")) {
                h = h.withMaxFrameSize(window(s, "max-frame-size"));
            }
            if (s.has("max-header-list")) {
                h = h.withMaxHeaderListSize(window(s, "max-header-list"));
            }
            if (s.has("header-table-size")) {
                h = h.withHeaderTableSize(window(s, "header-table-size"));
            }
            if (s.has("max-streams-per-connection")) {
                h = h.withMaxStreamsPerConnection(s.integer("max-streams-per-connection", 1, Integer.MAX_VALUE));
            }
            if (s.has("max-glitches")) {
                h = h.withMaxGlitches(s.integer("max-glitches", 0, Integer.MAX_VALUE));
            }
            if (s.has("max-continuations")) {
                h = h.withMaxContinuations(s.integer("max-continuations", 0, 10_000));
            }
        } catch (IllegalArgumentException e) {
            throw s.error(null, e.getMessage());
        }
        return h;
    }

    private static int window(Settings s, String key) {
        long v = s.size(key);
        if (v > Integer.MAX_VALUE) {
            throw s.error(key, v + " (expected: at most 2147483647)");
        }
        return (int) v;
    }
}
