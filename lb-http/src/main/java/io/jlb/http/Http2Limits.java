package io.jlb.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one HTTP/2 connection may cost before it is cut, and the counting behind it: "glitches" (protocol
 * misbehaviour that is legal once but not by the thousand: a stream reset before its response, an empty frame, an
 * excess SETTINGS, a WINDOW_UPDATE of 0) and the published attacks, each counted on the listener's stats and logged
 * when it trips. Loop-confined (the counters it bumps are thread-safe).
 */
final class Http2Limits {
    private static final Logger LOG = LoggerFactory.getLogger(Http2Limits.class);
    /** Early resets tolerated before their share of the streams is looked at. */
    private static final int EARLY_RESETS_FREE = 100;

    /** The kinds of limit, each with a counter of its own. */
    enum Kind {
        /** Streams reset before their response, too many and too large a share of the streams (CVE-2023-44487). */
        RAPID_RESET("rapid_reset"),
        /** A header block of too many CONTINUATION frames or too many bytes (CVE-2024-27316). */
        CONTINUATION("continuation"),
        /** A header block that does not decode (HPACK errors, a table size beyond the one allowed). */
        HPACK("hpack"),
        /** A header list that decodes beyond the allowed size (the HPACK bomb), answered 431. */
        HEADER_LIST("header_list"),
        /** A WINDOW_UPDATE that takes a window beyond 2^31-1, or DATA beyond the window granted. */
        FLOW("flow_control"),
        /** Control frames provoked faster than the peer reads them (SETTINGS, PING, RST_STREAM floods). */
        FLOOD("flood"),
        /** Too many glitches on one connection. */
        GLITCHES("glitches");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private final ListenerContext ctx;
    private final int maxGlitches;
    private final String peer;
    private int glitches;
    private int earlyResets;

    Http2Limits(ListenerContext ctx, Http2Settings settings, String peer) {
        this.ctx = ctx;
        this.maxGlitches = settings.maxGlitches();
        this.peer = peer;
    }

    /** A limit tripped: counted and logged. */
    void trip(String what, Kind kind) {
        ctx.stats.http2Limit(kind);
        LOG.warn("{}: HTTP/2 limit {} tripped by {}: {}", ctx.name, kind.label, peer, what);
    }

    /**
     * A stream reset by the client before its response began; true when early resets are now too many (more than a
     * hundred and more than half of the streams opened), and the connection must go.
     */
    boolean earlyReset(long streamsOpened) {
        earlyResets++;
        if (earlyResets > EARLY_RESETS_FREE && earlyResets * 2L > streamsOpened) {
            trip(earlyResets + " of " + streamsOpened + " streams reset before their response", Kind.RAPID_RESET);
            return true;
        }
        return false;
    }

    /** Misbehaviour that is not an error on its own: true when there has been too much of it. */
    boolean glitch(String what) {
        if (++glitches > maxGlitches) {
            trip(glitches + " glitches, the last: " + what, Kind.GLITCHES);
            return true;
        }
        return false;
    }

    /** Glitches counted so far. */
    int glitches() {
        return glitches;
    }
}
