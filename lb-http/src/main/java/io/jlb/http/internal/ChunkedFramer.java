package io.jlb.http.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads a chunked body (RFC 9112 §7.1) byte by byte as it streams through, without buffering its data: to know where
 * the message ends, to refuse malformed framing, and to tell the caller what to write on the other side, where the
 * proxy frames the body itself. {@link #step} consumes one segment — framing bytes, or data bytes of one chunk — and
 * says what it was: {@link #data()} for chunk data (forwarded as it is), otherwise framing, which is never
 * forwarded; {@link #chunkEnded()} and {@link #chunkStarted()} (with {@link #chunkSize()}) say which chunk
 * boundaries the framing held, and {@link #done()} that the body ended, its trailer fields in {@link #trailers()}.
 *
 * <p>Strict: sizes are hex digits without leading whitespace and may not overflow; whitespace after a size is
 * allowed only before an extension ({@code ;name[=value]}, a token or a quoted string); lines end in CRLF; chunk
 * data must be followed by CRLF; trailer fields are {@code token ":" value} without control characters; extensions
 * and trailers are limited in size. Trailer fields that frame, route or authenticate a message are dropped (RFC
 * 9110 §6.5.1), as are the fields the caller names.
 */
public final class ChunkedFramer {
    private static final int MAX_SIZE_DIGITS = 15;
    private static final int MAX_EXTENSION_BYTES = 4096;
    private static final byte[][] PROHIBITED_TRAILERS = names("content-length", "transfer-encoding", "host",
            "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "authorization",
            "proxy-authorization", "cookie", "set-cookie", "content-encoding", "content-type", "content-range",
            "expect", "max-forwards", "cache-control", "age", "expires", "date", "location", "retry-after", "vary",
            "www-authenticate", "proxy-authenticate");

    private enum State {
        SIZE, SIZE_BWS, EXT_NAME_START, EXT_NAME, EXT_AFTER_NAME, EXT_VALUE_START, EXT_TOKEN, EXT_QUOTED,
        EXT_QUOTED_ESCAPE, EXT_AFTER_VALUE, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER_START, TRAILER_NAME,
        TRAILER_VALUE, TRAILER_LF, END_LF, DONE
    }

    private final int maxTrailerBytes;
    private byte[][] droppedTrailers = new byte[0][];
    private State state = State.SIZE;
    private long remaining;
    private long chunkSize;
    private int digits;
    private int lineBytes;
    private int trailerBytes;
    private boolean lastChunk;
    private boolean data;
    private boolean chunkEnded;
    private boolean chunkStarted;
    private String error;
    private long dataBytes;
    /** Kept trailer lines ({@code name: value\r\n}), and where the line being read starts. */
    private byte[] trailers = new byte[0];
    private int trailersLength;
    private int trailerLineStart;
    private int trailerNameEnd;

    /** A framer allowing trailer sections of up to {@code maxTrailerBytes}. */
    public ChunkedFramer(int maxTrailerBytes) {
        this.maxTrailerBytes = maxTrailerBytes;
    }

    /** Also drops trailer fields with these lower-case names (fields the proxy asserts itself). */
    public void dropTrailers(byte[][] lowerCaseNames) {
        droppedTrailers = lowerCaseNames.clone();
    }

    /** Starts a new body. */
    public void reset() {
        state = State.SIZE;
        remaining = 0;
        chunkSize = 0;
        digits = 0;
        lineBytes = 0;
        trailerBytes = 0;
        lastChunk = false;
        data = false;
        chunkEnded = false;
        chunkStarted = false;
        error = null;
        dataBytes = 0;
        trailersLength = 0;
        trailerLineStart = 0;
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

    /** Whether the framing the last {@link #step} consumed ended a chunk's data (its CRLF). */
    public boolean chunkEnded() {
        return chunkEnded;
    }

    /** Whether the framing the last {@link #step} consumed began a chunk of {@link #chunkSize()} data bytes. */
    public boolean chunkStarted() {
        return chunkStarted;
    }

    /** The size of the chunk begun last. */
    public long chunkSize() {
        return chunkSize;
    }

    /** Data bytes seen so far (without framing). */
    public long dataBytes() {
        return dataBytes;
    }

    /** The trailer fields kept, as {@code name: value\r\n} lines, once {@link #done()}. */
    public byte[] trailers() {
        return Arrays.copyOf(trailers, trailersLength);
    }

    /** Writes the trailer fields kept ({@link #trailers()}) to {@code out}. */
    public void writeTrailers(ByteBuffer out) {
        out.put(trailers, 0, trailersLength);
    }

    /** How many bytes {@link #trailers()} holds. */
    public int trailersLength() {
        return trailersLength;
    }

    /**
     * Consumes bytes from {@code from} up to {@code to}, stopping at the end of a segment or of the body; returns
     * how many it consumed (0 only when done or on error — check {@link #error()}).
     */
    public int step(ByteBuffer b, int from, int to) {
        data = false;
        chunkEnded = false;
        chunkStarted = false;
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
            if (!consume(b.get(i))) {
                return 0;
            }
            i++;
        }
        return i - from;
    }

    /** One framing byte; false on an error. */
    private boolean consume(byte c) {
        if (state.ordinal() >= State.SIZE_BWS.ordinal() && state.ordinal() <= State.EXT_AFTER_VALUE.ordinal()
                && ++lineBytes > MAX_EXTENSION_BYTES) {
            return fail("chunk extension too long");
        }
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
                    startExtension();
                } else if (c == '\r') {
                    state = State.SIZE_LF;
                } else if (c == ' ' || c == '\t') {
                    state = State.SIZE_BWS;
                } else {
                    return fail("invalid character in chunk size");
                }
            }
            case SIZE_BWS, EXT_AFTER_VALUE -> { // only an extension may follow whitespace
                if (c == ';') {
                    startExtension();
                } else if (c == '\r' && state == State.EXT_AFTER_VALUE) {
                    state = State.SIZE_LF;
                } else if (c != ' ' && c != '\t') {
                    return fail(state == State.SIZE_BWS ? "whitespace after a chunk size without an extension"
                            : "malformed chunk extension");
                }
            }
            case EXT_NAME_START -> {
                if (Ascii.tchar(c)) {
                    state = State.EXT_NAME;
                } else if (c != ' ' && c != '\t') {
                    return fail("malformed chunk extension");
                }
            }
            case EXT_NAME -> {
                if (c == '=') {
                    state = State.EXT_VALUE_START;
                } else if (c == ';') {
                    startExtension();
                } else if (c == '\r') {
                    state = State.SIZE_LF;
                } else if (c == ' ' || c == '\t') {
                    state = State.EXT_AFTER_NAME;
                } else if (!Ascii.tchar(c)) {
                    return fail("malformed chunk extension");
                }
            }
            case EXT_AFTER_NAME -> {
                if (c == '=') {
                    state = State.EXT_VALUE_START;
                } else if (c == ';') {
                    startExtension();
                } else if (c == '\r') {
                    state = State.SIZE_LF;
                } else if (c != ' ' && c != '\t') {
                    return fail("malformed chunk extension");
                }
            }
            case EXT_VALUE_START -> {
                if (c == '"') {
                    state = State.EXT_QUOTED;
                } else if (Ascii.tchar(c)) {
                    state = State.EXT_TOKEN;
                } else if (c != ' ' && c != '\t') {
                    return fail("malformed chunk extension value");
                }
            }
            case EXT_TOKEN -> {
                if (c == ';') {
                    startExtension();
                } else if (c == '\r') {
                    state = State.SIZE_LF;
                } else if (c == ' ' || c == '\t') {
                    state = State.EXT_AFTER_VALUE;
                } else if (!Ascii.tchar(c)) {
                    return fail("malformed chunk extension value");
                }
            }
            case EXT_QUOTED -> {
                if (c == '"') {
                    state = State.EXT_AFTER_VALUE;
                } else if (c == '\\') {
                    state = State.EXT_QUOTED_ESCAPE;
                } else if (!Ascii.fieldChar(c)) {
                    return fail("control character in chunk extension");
                }
            }
            case EXT_QUOTED_ESCAPE -> {
                if (!Ascii.fieldChar(c)) {
                    return fail("control character in chunk extension");
                }
                state = State.EXT_QUOTED;
            }
            case SIZE_LF -> {
                if (c != '\n') {
                    return fail("bare CR after chunk size");
                }
                digits = 0;
                lineBytes = 0;
                if (remaining == 0) {
                    lastChunk = true;
                    state = State.TRAILER_START;
                } else {
                    chunkSize = remaining;
                    chunkStarted = true;
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
                chunkEnded = true;
                state = State.SIZE;
            }
            case TRAILER_START -> {
                if (c == '\r') {
                    state = State.END_LF;
                } else if (!Ascii.tchar(c)) {
                    return fail("malformed trailer field");
                } else {
                    trailerLineStart = trailersLength;
                    keep(c);
                    state = State.TRAILER_NAME;
                }
                if (++trailerBytes > maxTrailerBytes) {
                    return fail("trailer section too large");
                }
            }
            case TRAILER_NAME -> {
                if (c == ':') {
                    trailerNameEnd = trailersLength;
                    keep(c);
                    keep((byte) ' ');
                    state = State.TRAILER_VALUE;
                } else if (!Ascii.tchar(c)) {
                    return fail("malformed trailer field name");
                } else {
                    keep(c);
                }
                if (++trailerBytes > maxTrailerBytes) {
                    return fail("trailer section too large");
                }
            }
            case TRAILER_VALUE -> {
                if (c == '\r') {
                    state = State.TRAILER_LF;
                } else if (!Ascii.fieldChar(c)) {
                    return fail("control character in trailer field");
                } else if ((c != ' ' && c != '\t') || trailersLength > trailerNameEnd + 2) {
                    keep(c); // leading whitespace of the value is dropped
                }
                if (++trailerBytes > maxTrailerBytes) {
                    return fail("trailer section too large");
                }
            }
            case TRAILER_LF -> {
                if (c != '\n') {
                    return fail("bare CR in trailer section");
                }
                endTrailerLine();
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
        return true;
    }

    private void startExtension() {
        state = State.EXT_NAME_START;
    }

    private void keep(byte c) {
        if (trailersLength == trailers.length) {
            trailers = Arrays.copyOf(trailers, Math.max(64, trailers.length * 2));
        }
        trailers[trailersLength++] = c;
    }

    /** A trailer line was read whole: trims trailing whitespace, ends it in CRLF, or drops it. */
    private void endTrailerLine() {
        while (trailersLength > trailerNameEnd + 2 && (trailers[trailersLength - 1] == ' ' || trailers[trailersLength - 1] == '\t')) {
            trailersLength--;
        }
        if (dropped(trailerLineStart, trailerNameEnd)) {
            trailersLength = trailerLineStart;
            return;
        }
        keep((byte) '\r');
        keep((byte) '\n');
    }

    private boolean dropped(int from, int to) {
        for (byte[][] list : new byte[][][] {PROHIBITED_TRAILERS, droppedTrailers}) {
            for (byte[] name : list) {
                if (name.length == to - from && sameIgnoreCase(from, name)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean sameIgnoreCase(int from, byte[] lower) {
        for (int k = 0; k < lower.length; k++) {
            if (Ascii.lower(trailers[from + k]) != lower[k]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the last chunk (size 0) has been seen (the body may still be ending with trailers). */
    public boolean sawLastChunk() {
        return lastChunk;
    }

    private boolean fail(String why) {
        error = why;
        state = State.DONE;
        return false;
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

    private static byte[][] names(String... names) {
        byte[][] out = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            out[i] = Ascii.bytes(names[i]);
        }
        return out;
    }
}
