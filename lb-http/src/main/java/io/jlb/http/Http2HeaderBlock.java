package io.jlb.http;

import io.jlb.http.internal.h2.Frames;
import java.nio.ByteBuffer;

/** The fragments of one header block (HEADERS and its CONTINUATIONs), bounded in bytes and count. */
final class Http2HeaderBlock {
    int stream;
    int flags;
    int fragments;
    private ByteBuffer bytes = ByteBuffer.allocate(1024);
    private boolean expecting;

    void begin(int id, int f) {
        stream = id;
        flags = f;
        fragments = 0;
        bytes.clear();
        expecting = (f & Frames.END_HEADERS) == 0;
    }

    boolean expecting() {
        return expecting;
    }

    /** Adds a fragment; false when the block would exceed {@code max} bytes. */
    boolean append(ByteBuffer from, int at, int n, long max) {
        if (bytes.position() + (long) n > max) {
            return false;
        }
        if (bytes.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(bytes.capacity() * 2, bytes.position() + n));
            bytes.flip();
            bigger.put(bytes);
            bytes = bigger;
        }
        bytes.put(from.slice(at, n));
        return true;
    }

    void done() {
        expecting = false;
    }

    ByteBuffer bytes() {
        return bytes;
    }

    int length() {
        return bytes.position();
    }
}
