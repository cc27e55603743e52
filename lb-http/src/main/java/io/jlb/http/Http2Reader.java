package io.jlb.http;

import io.jlb.http.internal.h2.Frames;
import java.nio.ByteBuffer;

/**
 * The reading half of an HTTP/2 connection: the client's preface, then whole frames out of the read buffer, their
 * shape checked (sizes, stream 0 or not, padding, SETTINGS first, header blocks uninterrupted and bounded in
 * fragments and bytes) before their meaning is handed to the {@link Handler}. A frame that breaks a rule of shape
 * is a connection error. Loop-confined.
 */
final class Http2Reader {
    /** What the frames mean, to the connection. */
    interface Handler {
        /** Whether frames should wait in the buffer for now (a backlog to write, a turn's share of streams used). */
        boolean paused();

        /** A DATA frame: {@code length} bytes at {@code from}, its padding already stripped; {@code flow} counted. */
        void data(int stream, boolean endStream, ByteBuffer in, int from, int length, int flow);

        /** A whole header block (HEADERS and its CONTINUATIONs). */
        void headerBlock(int stream, boolean endStream, ByteBuffer block, int length);

        void reset(int stream, int code);

        /** A SETTINGS frame (not an acknowledgement): {@code length / 6} entries at {@code from}. */
        void settings(ByteBuffer in, int from, int length);

        void ping(long opaque, boolean ack);

        void goaway();

        void windowUpdate(int stream, int increment);

        void connectionError(int code, String why);

        /** Legal but suspicious (an empty frame): counted. */
        void glitch(String what);

        /** A limit of the reader's tripped. */
        void tripped(String what, Http2Limits.Kind kind);
    }

    private final Handler handler;
    private final Http2HeaderBlock block = new Http2HeaderBlock();
    private final int maxFrame;
    private final long maxBlockBytes;
    private final int maxContinuations;
    private boolean prefaceSeen;
    private boolean settingsSeen;
    private boolean failed;

    Http2Reader(Handler handler, int maxFrame, int maxHeaderList, int maxContinuations) {
        this.handler = handler;
        this.maxFrame = maxFrame;
        this.maxBlockBytes = maxHeaderList * 2L;
        this.maxContinuations = maxContinuations;
    }

    /** Whether the client's SETTINGS arrived (the connection is under way). */
    boolean started() {
        return settingsSeen;
    }

    /**
     * Handles the whole frames in {@code in} (write mode, from 0 to its position) and moves what is left of a
     * partial frame to its start. Stops early when the handler pauses or the connection failed.
     */
    void process(ByteBuffer in) {
        int p = 0;
        int end = in.position();
        while (!failed) {
            if (!prefaceSeen) {
                int found = Frames.preface(in, p, end);
                if (found == Frames.NO_PREFACE) {
                    fail(Frames.PROTOCOL_ERROR, "no connection preface");
                    return;
                }
                if (found == Frames.PARTIAL_PREFACE) {
                    break;
                }
                p += Frames.PREFACE.length;
                prefaceSeen = true;
                continue;
            }
            if (end - p < Frames.HEADER) {
                break;
            }
            int length = Frames.length(in, p);
            if (length > maxFrame) {
                fail(Frames.FRAME_SIZE_ERROR, "a frame of " + length + " bytes");
                return;
            }
            if (end - p < Frames.HEADER + length || handler.paused()) {
                break;
            }
            frame(in, p, length);
            p += Frames.HEADER + length;
        }
        if (failed) {
            return;
        }
        if (p > 0) {
            in.limit(end).position(p);
            in.compact(); // the partial frame to the start, position after it
        }
    }

    private void fail(int code, String why) {
        failed = true;
        handler.connectionError(code, why);
    }

    private void frame(ByteBuffer in, int p, int length) {
        int type = Frames.type(in, p);
        int flags = Frames.flags(in, p);
        int stream = Frames.stream(in, p);
        int payload = p + Frames.HEADER;
        if (!settingsSeen && type != Frames.SETTINGS) {
            fail(Frames.PROTOCOL_ERROR, "the first frame is not SETTINGS");
            return;
        }
        if (block.expecting() && (type != Frames.CONTINUATION || stream != block.stream)) {
            fail(Frames.PROTOCOL_ERROR, "a header block interrupted");
            return;
        }
        switch (type) {
            case Frames.DATA -> data(in, stream, flags, payload, length);
            case Frames.HEADERS -> headers(in, stream, flags, payload, length);
            case Frames.PRIORITY -> {
                if (stream == 0 || length != 5) {
                    fail(stream == 0 ? Frames.PROTOCOL_ERROR : Frames.FRAME_SIZE_ERROR, "a bad PRIORITY");
                } // otherwise accepted and ignored
            }
            case Frames.RST_STREAM -> {
                if (length != 4) {
                    fail(Frames.FRAME_SIZE_ERROR, "RST_STREAM of " + length + " bytes");
                } else if (stream == 0) {
                    fail(Frames.PROTOCOL_ERROR, "RST_STREAM on stream 0");
                } else {
                    handler.reset(stream, in.getInt(payload));
                }
            }
            case Frames.SETTINGS -> settings(in, stream, flags, payload, length);
            case Frames.PUSH_PROMISE -> fail(Frames.PROTOCOL_ERROR, "PUSH_PROMISE from a client");
            case Frames.PING -> {
                if (stream != 0 || length != 8) {
                    fail(stream != 0 ? Frames.PROTOCOL_ERROR : Frames.FRAME_SIZE_ERROR, "a bad PING");
                } else {
                    handler.ping(in.getLong(payload), (flags & Frames.ACK) != 0);
                }
            }
            case Frames.GOAWAY -> {
                if (stream != 0 || length < 8) {
                    fail(Frames.PROTOCOL_ERROR, "a bad GOAWAY");
                } else {
                    handler.goaway();
                }
            }
            case Frames.WINDOW_UPDATE -> {
                if (length != 4) {
                    fail(Frames.FRAME_SIZE_ERROR, "WINDOW_UPDATE of " + length + " bytes");
                } else {
                    handler.windowUpdate(stream, in.getInt(payload) & 0x7fffffff);
                }
            }
            case Frames.CONTINUATION -> continuation(in, stream, flags, payload, length);
            default -> { } // unknown types are ignored (RFC 9113 §4.1)
        }
    }

    private void data(ByteBuffer in, int id, int flags, int payload, int length) {
        if (id == 0) {
            fail(Frames.PROTOCOL_ERROR, "DATA on stream 0");
            return;
        }
        int flow = length;
        if ((flags & Frames.PADDED) != 0) {
            int pad;
            if (length < 1 || (pad = in.get(payload) & 0xff) >= length) {
                fail(Frames.PROTOCOL_ERROR, "padding longer than the frame");
                return;
            }
            payload++;
            length -= 1 + pad;
        }
        boolean end = (flags & Frames.END_STREAM) != 0;
        if (flow == 0 && !end) {
            handler.glitch("an empty DATA frame");
        }
        handler.data(id, end, in, payload, length, flow);
    }

    private void headers(ByteBuffer in, int id, int flags, int payload, int length) {
        if (id == 0 || (id & 1) == 0) {
            fail(Frames.PROTOCOL_ERROR, "HEADERS on stream " + id);
            return;
        }
        int start = payload;
        int pad = 0;
        if ((flags & Frames.PADDED) != 0) {
            if (length < 1) {
                fail(Frames.PROTOCOL_ERROR, "a bad padded HEADERS");
                return;
            }
            pad = in.get(payload) & 0xff;
            start++;
        }
        if ((flags & Frames.PRIORITY_FLAG) != 0) {
            start += 5;
        }
        int blockEnd = payload + length - pad;
        if (blockEnd < start) {
            fail(Frames.PROTOCOL_ERROR, "padding longer than the frame");
            return;
        }
        block.begin(id, flags);
        if (!block.append(in, start, blockEnd - start, maxBlockBytes)) {
            handler.tripped("a header block over " + maxBlockBytes + " bytes", Http2Limits.Kind.CONTINUATION);
            fail(Frames.ENHANCE_YOUR_CALM, "a header block over " + maxBlockBytes + " bytes");
            return;
        }
        if ((flags & Frames.END_HEADERS) != 0) {
            blockDone();
        }
    }

    private void continuation(ByteBuffer in, int id, int flags, int payload, int length) {
        if (!block.expecting() || id != block.stream) {
            fail(Frames.PROTOCOL_ERROR, "CONTINUATION without HEADERS");
            return;
        }
        if (++block.fragments > maxContinuations || !block.append(in, payload, length, maxBlockBytes)) {
            handler.tripped(block.fragments + " CONTINUATION frames, " + block.length() + " bytes",
                    Http2Limits.Kind.CONTINUATION);
            fail(Frames.ENHANCE_YOUR_CALM, "a header block of too many CONTINUATION frames or bytes");
            return;
        }
        if (length == 0 && (flags & Frames.END_HEADERS) == 0) {
            handler.glitch("an empty CONTINUATION");
        }
        if ((flags & Frames.END_HEADERS) != 0) {
            blockDone();
        }
    }

    private void blockDone() {
        block.done();
        handler.headerBlock(block.stream, (block.flags & Frames.END_STREAM) != 0, block.bytes(), block.length());
    }

    private void settings(ByteBuffer in, int id, int flags, int payload, int length) {
        if (id != 0) {
            fail(Frames.PROTOCOL_ERROR, "SETTINGS on a stream");
            return;
        }
        if ((flags & Frames.ACK) != 0) {
            if (length != 0) {
                fail(Frames.FRAME_SIZE_ERROR, "a SETTINGS ACK with a payload");
            }
            return;
        }
        if (length % 6 != 0) {
            fail(Frames.FRAME_SIZE_ERROR, "SETTINGS of " + length + " bytes");
            return;
        }
        if (settingsSeen) {
            handler.glitch("another SETTINGS");
        }
        settingsSeen = true;
        handler.settings(in, payload, length);
    }
}
