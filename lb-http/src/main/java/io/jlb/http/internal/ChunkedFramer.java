package io.jlb.http.internal;

import java.nio.ByteBuffer;

/**
 * Follows a chunked body (RFC 9112 §7.1) byte by byte as it streams through, to know where the message ends and to
 * refuse malformed framing, without buffering it. {@link #step} consumes one segment — framing bytes, or data
 * bytes of one chunk — and says which it was, so a caller can forward everything as-is or strip the framing
 * (for HTTP/1.0 clients).
 *
 * <p>Strict: sizes are hex without leading whitespace and may not overflow; lines end in CRLF; chunk data must be
 * followed by CRLF; extensions and trailer fields may not carry control characters; extensions and trailers are
 * limited in size.
 */
public final class ChunkedFramer {
    private static final int MAX_SIZE_DIGITS = 15;
    private static final int MAX_EXTENSION_BYTES = 4096;

    private enum State { SIZE, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER_START, TRAILER, TRAILER_LF, END_LF, DONE }

    private final int maxTrailerBytes;
    private State state = State.SIZE;
    private long remaining;
    private int digits;
    private int lineBytes;
    private int trailerBytes;
    private boolean lastChunk;
    private boolean inTrailerName;
    private boolean data;
    private String error;
    private long dataBytes;

    /** A framer allowing trailer sections of up to {@code maxTrailerBytes}. */
    public ChunkedFramer(int maxTrailerBytes) {
        this.maxTrailerBytes = maxTrailerBytes;
    }

    /** Starts a new body. */
    public void reset() {
        state = State.SIZE;
        remaining = 0;
        digits = 0;
        lineBytes = 0;
        trailerBytes = 0;
        lastChunk = false;
        error = null;
        dataBytes = 0;
    }

    /** Whether the body's final CRLF has been consumed (and no error occurred). */
    public boolean done() {
        return state == State.DONE && error == null;
    }

    /** What was wrong, or null. */
    public String error() {
        return error;
    }

    /** Whether the bytes the last {@link #step} consumed were chunk data (as opposed to framing). */
    public boolean data() {
        return data;
    }

    /** Data bytes seen so far (without framing). */
    public long dataBytes() {
        return dataBytes;
    }

    /**
     * Consumes bytes from {@code from} up to {@code to}, stopping at the end of a segment or of the body; returns
     * how many it consumed (0 only when done or on error — check {@link #error()}).
     */
    public int step(ByteBuffer b, int from, int to) {
        data = false;
        if (state == State.DATA) {
            int n = (int) Math.min(remaining, to - from);
            remaining -= n;
            dataBytes += n;
            if (remaining == 0) {
                state = State.DATA_CR;
            }
            data = true;
            return n;
        }
        int i = from;
        while (i < to && state != State.DONE && state != State.DATA) {
            byte c = b.get(i);
            switch (state) {
                case SIZE -> {
                    int d = hex(c);
                    if (d >= 0) {
                        if (++digits > MAX_SIZE_DIGITS) {
                            return fail("chunk size too large");
                        }
                        remaining = remaining * 16 + d;
                    } else if (digits == 0) {
                        return fail("missing chunk size");
                    } else if (c == ';') {
                        state = State.EXTENSION;
                        lineBytes = 0;
                    } else if (c == '\r') {
                        state = State.SIZE_LF;
                    } else if (c == ' ' || c == '\t') {
                        state = State.EXTENSION; // BWS before an extension
                        lineBytes = 0;
                    } else {
                        return fail("invalid character in chunk size");
                    }
                }
                case EXTENSION -> {
                    if (c == '\r') {
                        state = State.SIZE_LF;
                    } else if (!Ascii.fieldChar(c) || ++lineBytes > MAX_EXTENSION_BYTES) {
                        return fail(lineBytes > MAX_EXTENSION_BYTES ? "chunk extension too long"
                                : "control character in chunk extension");
                    }
                }
                case SIZE_LF -> {
                    if (c != '\n') {
                        return fail("bare CR after chunk size");
                    }
                    digits = 0;
                    if (remaining == 0) {
                        lastChunk = true;
                        state = State.TRAILER_START;
                    } else {
                        state = State.DATA;
                    }
                }
                case DATA_CR -> {
                    if (c != '\r') {
                        return fail("chunk data not followed by CRLF");
                    }
                    state = State.DATA_LF;
                }
                case DATA_LF -> {
                    if (c != '\n') {
                        return fail("chunk data not followed by CRLF");
                    }
                    state = State.SIZE;
                }
                case TRAILER_START -> {
                    if (c == '\r') {
                        state = State.END_LF;
                    } else if (c == ' ' || c == '\t' || c == ':' || !Ascii.tchar(c)) {
                        return fail("malformed trailer field");
                    } else {
                        state = State.TRAILER;
                        inTrailerName = true;
                    }
                    if (++trailerBytes > maxTrailerBytes) {
                        return fail("trailer section too large");
                    }
                }
                case TRAILER -> {
                    if (inTrailerName) {
                        if (c == ':') {
                            inTrailerName = false;
                        } else if (!Ascii.tchar(c)) {
                            return fail("malformed trailer field name");
                        }
                    } else if (c == '\r') {
                        state = State.TRAILER_LF;
                    } else if (!Ascii.fieldChar(c)) {
                        return fail("control character in trailer field");
                    }
                    if (++trailerBytes > maxTrailerBytes) {
                        return fail("trailer section too large");
                    }
                }
                case TRAILER_LF -> {
                    if (c != '\n') {
                        return fail("bare CR in trailer section");
                    }
                    state = State.TRAILER_START;
                }
                case END_LF -> {
                    if (c != '\n') {
                        return fail("bare CR at the end of a chunked body");
                    }
                    state = State.DONE;
                }
                default -> throw new IllegalStateException(state.toString());
            }
            i++;
        }
        return i - from;
    }

    /** Whether the last chunk (size 0) has been seen (the body may still be ending with trailers). */
    public boolean sawLastChunk() {
        return lastChunk;
    }

    private int fail(String why) {
        error = why;
        state = State.DONE;
        return 0;
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
