package io.jlb.http.internal.h2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** HTTP/2 framing (RFC 9113 §4, §6): frame types, flags, error codes, settings, and the frame header. */
public final class Frames {
    /** What a client sends first, before its SETTINGS (RFC 9113 §3.4). */
    public static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Bytes of a frame header. */
    public static final int HEADER = 9;
    /** The largest frame payload before SETTINGS_MAX_FRAME_SIZE raises it, and the least it may be set to. */
    public static final int DEFAULT_MAX_FRAME = 16_384;
    /** The flow-control window every stream and the connection start with. */
    public static final int DEFAULT_WINDOW = 65_535;
    /** The largest flow-control window (2^31 - 1). */
    public static final int MAX_WINDOW = Integer.MAX_VALUE;

    public static final int DATA = 0;
    public static final int HEADERS = 1;
    public static final int PRIORITY = 2;
    public static final int RST_STREAM = 3;
    public static final int SETTINGS = 4;
    public static final int PUSH_PROMISE = 5;
    public static final int PING = 6;
    public static final int GOAWAY = 7;
    public static final int WINDOW_UPDATE = 8;
    public static final int CONTINUATION = 9;

    public static final int END_STREAM = 0x1;
    public static final int ACK = 0x1;
    public static final int END_HEADERS = 0x4;
    public static final int PADDED = 0x8;
    public static final int PRIORITY_FLAG = 0x20;

    public static final int NO_ERROR = 0x0;
    public static final int PROTOCOL_ERROR = 0x1;
    public static final int INTERNAL_ERROR = 0x2;
    public static final int FLOW_CONTROL_ERROR = 0x3;
    public static final int SETTINGS_TIMEOUT = 0x4;
    public static final int STREAM_CLOSED = 0x5;
    public static final int FRAME_SIZE_ERROR = 0x6;
    public static final int REFUSED_STREAM = 0x7;
    public static final int CANCEL = 0x8;
    public static final int COMPRESSION_ERROR = 0x9;
    public static final int CONNECT_ERROR = 0xa;
    public static final int ENHANCE_YOUR_CALM = 0xb;
    public static final int INADEQUATE_SECURITY = 0xc;
    public static final int HTTP_1_1_REQUIRED = 0xd;

    public static final int SETTINGS_HEADER_TABLE_SIZE = 0x1;
    public static final int SETTINGS_ENABLE_PUSH = 0x2;
    public static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
    public static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    public static final int SETTINGS_MAX_FRAME_SIZE = 0x5;
    public static final int SETTINGS_MAX_HEADER_LIST_SIZE = 0x6;
    public static final int SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8;

    /** What {@link #preface} found: not a preface, the start of one, the whole of one. */
    public static final int NO_PREFACE = 0;
    public static final int PARTIAL_PREFACE = 1;
    public static final int WHOLE_PREFACE = 2;

    private Frames() {}

    /** Whether the bytes of {@code b} in [{@code from}, {@code to}) begin with the connection preface. */
    public static int preface(ByteBuffer b, int from, int to) {
        int n = Math.min(to - from, PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (b.get(from + i) != PREFACE[i]) {
                return NO_PREFACE;
            }
        }
        return n == PREFACE.length ? WHOLE_PREFACE : PARTIAL_PREFACE;
    }

    /** Writes a frame header. */
    public static void header(ByteBuffer out, int length, int type, int flags, int stream) {
        out.put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length);
        out.put((byte) type).put((byte) flags).putInt(stream & 0x7fffffff);
    }

    /** The payload length of the frame header at {@code at}. */
    public static int length(ByteBuffer b, int at) {
        return (b.get(at) & 0xff) << 16 | (b.get(at + 1) & 0xff) << 8 | b.get(at + 2) & 0xff;
    }

    public static int type(ByteBuffer b, int at) {
        return b.get(at + 3) & 0xff;
    }

    public static int flags(ByteBuffer b, int at) {
        return b.get(at + 4) & 0xff;
    }

    /** The stream identifier, its reserved bit ignored. */
    public static int stream(ByteBuffer b, int at) {
        return b.getInt(at + 5) & 0x7fffffff;
    }

    /** The name of an error code, for logs. */
    public static String error(int code) {
        return switch (code) {
            case NO_ERROR -> "NO_ERROR";
            case PROTOCOL_ERROR -> "PROTOCOL_ERROR";
            case INTERNAL_ERROR -> "INTERNAL_ERROR";
            case FLOW_CONTROL_ERROR -> "FLOW_CONTROL_ERROR";
            case SETTINGS_TIMEOUT -> "SETTINGS_TIMEOUT";
            case STREAM_CLOSED -> "STREAM_CLOSED";
            case FRAME_SIZE_ERROR -> "FRAME_SIZE_ERROR";
            case REFUSED_STREAM -> "REFUSED_STREAM";
            case CANCEL -> "CANCEL";
            case COMPRESSION_ERROR -> "COMPRESSION_ERROR";
            case CONNECT_ERROR -> "CONNECT_ERROR";
            case ENHANCE_YOUR_CALM -> "ENHANCE_YOUR_CALM";
            case INADEQUATE_SECURITY -> "INADEQUATE_SECURITY";
            case HTTP_1_1_REQUIRED -> "HTTP_1_1_REQUIRED";
            default -> "0x" + Integer.toHexString(code);
        };
    }
}
