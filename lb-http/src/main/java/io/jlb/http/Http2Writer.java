package io.jlb.http;

import io.jlb.http.internal.h2.Frames;
import io.jlb.http.internal.h2.HpackEncoder;
import io.jlb.nio.internal.BufferPool;
import io.jlb.nio.internal.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The sending half of an HTTP/2 connection: frames in the order they are made (header blocks encoded as they are
 * queued, so that HPACK's state follows the wire), the connection's send window, and DATA produced round-robin over
 * the streams that have some, within the peer's windows and only while the socket takes what was made. Control
 * frames the peer provokes (SETTINGS and PING acknowledgements, resets) are bounded: a peer that asks for them
 * faster than it reads them is cut off. Loop-confined.
 */
final class Http2Writer {
    /** Bytes waiting to be written past which no more DATA is produced (and the peer's frames are not read). */
    static final int HIGH_WATER = 256 * 1024;
    /** Control frames provoked by the peer and not yet written past which it is taken for a flood. */
    static final int MAX_PENDING_CONTROL = 10_000;

    private final Http2Output out;
    private final HpackEncoder encoder = new HpackEncoder();
    private final ArrayDeque<Http2Stream> sendQueue = new ArrayDeque<>();
    private final BufferPool buffers;
    /** What the peer lets the connection send. */
    long sendWindow = Frames.DEFAULT_WINDOW;
    /** The largest frame the peer takes. */
    int peerMaxFrame = Frames.DEFAULT_MAX_FRAME;
    private boolean flooded;
    private int pendingControl;

    Http2Writer(BufferPool buffers) {
        this.buffers = buffers;
        this.out = new Http2Output(buffers);
    }

    HpackEncoder encoder() {
        return encoder;
    }

    /** Bytes made and not yet written. */
    long pending() {
        return out.pending();
    }

    /** Whether the peer provoked more control frames than it read (the connection must end). */
    boolean flooded() {
        return flooded;
    }

    /** Our SETTINGS, and a WINDOW_UPDATE that opens the connection's receive window to {@code connectionWindow}. */
    void settings(Http2Settings s, int streamWindow, int maxFrame, int maxHeaderList) {
        ByteBuffer b = out.room(Frames.HEADER + 6 * 6 + Frames.HEADER + 4);
        int count = s.headerTableSize() != 4096 ? 6 : 5;
        Frames.header(b, 6 * count, Frames.SETTINGS, 0, 0);
        b.putShort((short) Frames.SETTINGS_MAX_CONCURRENT_STREAMS).putInt(s.maxConcurrentStreams());
        b.putShort((short) Frames.SETTINGS_INITIAL_WINDOW_SIZE).putInt(streamWindow);
        b.putShort((short) Frames.SETTINGS_MAX_FRAME_SIZE).putInt(maxFrame);
        b.putShort((short) Frames.SETTINGS_MAX_HEADER_LIST_SIZE).putInt(maxHeaderList);
        b.putShort((short) Frames.SETTINGS_ENABLE_CONNECT_PROTOCOL).putInt(1); // WebSockets over HTTP/2 (RFC 8441)
        if (count == 6) {
            b.putShort((short) Frames.SETTINGS_HEADER_TABLE_SIZE).putInt(s.headerTableSize());
        }
        int raise = s.connectionWindow() - Frames.DEFAULT_WINDOW;
        if (raise > 0) {
            Frames.header(b, 4, Frames.WINDOW_UPDATE, 0, 0);
            b.putInt(raise);
        }
    }

    /**
     * Room for a control frame the peer provoked (an acknowledgement, a reset). Those made since the output was last
     * written out are counted: past {@link #MAX_PENDING_CONTROL}, the peer asks for more than it reads, and floods.
     */
    private ByteBuffer control(int bytes) {
        if (out.pending() == 0) {
            pendingControl = 0;
        }
        if (++pendingControl > MAX_PENDING_CONTROL) {
            flooded = true;
        }
        return out.room(bytes);
    }

    void settingsAck() {
        Frames.header(control(Frames.HEADER), 0, Frames.SETTINGS, Frames.ACK, 0);
    }

    void pingAck(long opaque) {
        ByteBuffer b = control(Frames.HEADER + 8);
        Frames.header(b, 8, Frames.PING, Frames.ACK, 0);
        b.putLong(opaque);
    }

    void ping(long opaque) {
        ByteBuffer b = out.room(Frames.HEADER + 8);
        Frames.header(b, 8, Frames.PING, 0, 0);
        b.putLong(opaque);
    }

    void reset(int id, int code) {
        ByteBuffer b = control(Frames.HEADER + 4);
        Frames.header(b, 4, Frames.RST_STREAM, 0, id);
        b.putInt(code);
    }

    void windowUpdate(int id, int increment) {
        if (increment > 0) {
            ByteBuffer b = out.room(Frames.HEADER + 4);
            Frames.header(b, 4, Frames.WINDOW_UPDATE, 0, id);
            b.putInt(increment);
        }
    }

    void goaway(int last, int code, String debug) {
        byte[] text = debug.getBytes(StandardCharsets.US_ASCII);
        int n = Math.min(text.length, 128);
        ByteBuffer b = out.room(Frames.HEADER + 8 + n);
        Frames.header(b, 8 + n, Frames.GOAWAY, 0, 0);
        b.putInt(last).putInt(code).put(text, 0, n);
    }

    /**
     * A header block for stream {@code id}: HEADERS, then CONTINUATION frames when it is larger than a frame; false
     * when it is too large to encode at all.
     */
    boolean headers(int id, List<String[]> fields, boolean endStream) {
        ByteBuffer scratch = buffers.take();
        try {
            encoder.begin(scratch);
            for (String[] f : fields) {
                encoder.field(f[0], f[1], scratch);
            }
            scratch.flip();
            int type = Frames.HEADERS;
            int flags = endStream ? Frames.END_STREAM : 0;
            do {
                int n = Math.min(scratch.remaining(), peerMaxFrame);
                boolean last = n == scratch.remaining();
                ByteBuffer b = out.room(Frames.HEADER + n);
                Frames.header(b, n, type, flags | (last ? Frames.END_HEADERS : 0), id);
                b.put(scratch.slice(scratch.position(), n));
                scratch.position(scratch.position() + n);
                type = Frames.CONTINUATION;
                flags = 0;
            } while (scratch.hasRemaining());
            return true;
        } catch (java.nio.BufferOverflowException e) {
            return false;
        } finally {
            buffers.give(scratch);
        }
    }

    /** A DATA frame header for {@code n} bytes of {@code s}, which the caller writes after it; windows are charged. */
    ByteBuffer data(Http2Stream s, int n, boolean endStream) {
        ByteBuffer b = out.room(Frames.HEADER + n);
        Frames.header(b, n, Frames.DATA, endStream ? Frames.END_STREAM : 0, s.id);
        s.sendWindow -= n;
        sendWindow -= n;
        return b;
    }

    /** {@code s} has response data to send. */
    void wantsToSend(Http2Stream s) {
        if (!s.sending) {
            s.sending = true;
            sendQueue.addLast(s);
        }
    }

    /**
     * Makes DATA round-robin over the streams that have some, a frame each per round, until the output reaches the
     * high-water mark or the windows close. A stream whose own window is closed waits for its WINDOW_UPDATE; when
     * the connection's is, everyone waits.
     */
    private void produce() {
        int rounds = sendQueue.size() * 64;
        while (!sendQueue.isEmpty() && out.pending() < HIGH_WATER && rounds-- > 0) {
            if (sendWindow <= 0) {
                return;
            }
            Http2Stream s = sendQueue.pollFirst();
            s.sending = false;
            long window = Math.min(sendWindow, s.sendWindow);
            if (window <= 0 || s.closed()) {
                continue;
            }
            if (s.produce((int) Math.min(window, peerMaxFrame)) && !s.sending) {
                s.sending = true;
                sendQueue.addLast(s);
            }
        }
    }

    /** Makes and writes frames while the socket takes them; false when it takes no more for now. */
    boolean flush(Transport transport) throws IOException {
        while (true) {
            produce();
            if (!out.flush(transport)) {
                return false;
            }
            if (sendQueue.isEmpty() || sendWindow <= 0 || !anyOpenWindow()) {
                return true;
            }
        }
    }

    private boolean anyOpenWindow() {
        for (Http2Stream s : sendQueue) {
            if (s.sendWindow > 0) {
                return true;
            }
        }
        return false;
    }

    /** Gives the buffers back (the connection is closing). */
    void release() {
        out.release();
        sendQueue.clear();
    }
}
