package io.jlb.http;

import io.jlb.nio.internal.BufferPool;
import io.jlb.nio.internal.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * What an HTTP/2 connection has to write, in order: frames are appended to pooled buffers and written with gathering
 * writes; what the socket does not take waits, and the connection stops producing DATA (and reading the peer's
 * frames) while it does. Loop-confined.
 */
final class Http2Output {
    private static final int GATHER = 16;

    private final BufferPool pool;
    /** Full buffers in read mode, oldest first. */
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    /** Arrays of each length up to {@link #GATHER}, for gathering writes without allocating. */
    private final ByteBuffer[][] gathers = new ByteBuffer[GATHER + 1][];
    /** The buffer being appended to, in write mode, or null. */
    private ByteBuffer tail;
    private long queued;
    private long written;

    Http2Output(BufferPool pool) {
        this.pool = pool;
        for (int i = 1; i <= GATHER; i++) {
            gathers[i] = new ByteBuffer[i];
        }
    }

    /** A buffer with at least {@code n} bytes of room for the next frame (write mode). */
    ByteBuffer room(int n) {
        if (tail != null && tail.remaining() >= n) {
            return tail;
        }
        seal();
        tail = n <= pool.bufferSize() ? pool.take() : ByteBuffer.allocate(n);
        return tail;
    }

    /** Bytes waiting to be written. */
    long pending() {
        return queued + (tail == null ? 0 : tail.position());
    }

    /** Bytes written so far. */
    long written() {
        return written;
    }

    private void seal() {
        if (tail != null) {
            if (tail.position() == 0) {
                give(tail);
            } else {
                tail.flip();
                queued += tail.remaining();
                queue.addLast(tail);
            }
            tail = null;
        }
    }

    /** Writes what is pending; true when everything went, false when the socket takes no more for now. */
    boolean flush(Transport transport) throws IOException {
        seal();
        while (!queue.isEmpty()) {
            int n = Math.min(queue.size(), GATHER);
            ByteBuffer[] gather = gathers[n];
            int i = 0;
            for (ByteBuffer b : queue) {
                if (i == n) {
                    break;
                }
                gather[i++] = b;
            }
            long w = n == 1 ? transport.write(gather[0]) : transport.write(gather);
            java.util.Arrays.fill(gather, null);
            if (w <= 0) {
                return false;
            }
            written += w;
            queued -= w;
            while (!queue.isEmpty() && !queue.peekFirst().hasRemaining()) {
                give(queue.pollFirst());
            }
        }
        return true;
    }

    /** Drops what is pending and gives the buffers back (the connection is closing). */
    void release() {
        seal();
        while (!queue.isEmpty()) {
            give(queue.pollFirst());
        }
        queued = 0;
    }

    private void give(ByteBuffer b) {
        if (b.isDirect() && b.capacity() == pool.bufferSize()) {
            pool.give(b);
        }
    }
}
