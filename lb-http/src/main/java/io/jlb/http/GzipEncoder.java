package io.jlb.http;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Compresses one response body into gzip (RFC 1952) as it streams, writing HTTP/1.1 chunks (or, for HTTP/2, the bare
 * gzip stream, framed by DATA frames): the input is whatever
 * the backend sent so far, the output goes into pooled buffers for the client. Each call compresses what it is
 * given and flushes, so a slow stream (server-sent events) is never held back. Deflaters are reused per thread.
 */
final class GzipEncoder {
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    private static final int MAX_POOLED = 8;
    private static final ThreadLocal<ArrayDeque<Deflater>> POOL = ThreadLocal.withInitial(ArrayDeque::new);
    /** Room kept at the end of an output buffer for one chunk's framing around its data. */
    private static final int FRAMING = 12;

    private final Deflater deflater;
    private final CRC32 crc = new CRC32();
    private final byte[] scratch = new byte[8 * 1024];
    private long size;
    private boolean pending;
    private boolean headerSent;
    private boolean finished;
    private boolean trailerSent;
    private boolean released;
    /** Whether the output is HTTP/1.1 chunks (else the bare gzip stream). */
    private final boolean chunked;

    GzipEncoder(int level) {
        this(level, true);
    }

    GzipEncoder(int level, boolean chunked) {
        this.chunked = chunked;
        Deflater d = POOL.get().pollFirst();
        if (d == null) {
            d = new Deflater(level, true);
        } else {
            d.setLevel(level);
        }
        this.deflater = d;
    }

    /**
     * Compresses bytes [from, to) of {@code source} into chunks written to {@code out} (write mode), as much as fits,
     * then flushes; returns how many input bytes were taken. Call again (even without input) while
     * {@link #pending()}.
     */
    int encode(ByteBuffer source, int from, int to, ByteBuffer out) {
        int taken = 0;
        int position = source.position();
        int limit = source.limit();
        try {
            source.limit(to).position(from);
            while (out.remaining() > FRAMING + 64 + (headerSent ? 0 : HEADER.length)) {
                if (!deflater.needsInput()) {
                    deflate(out, Deflater.NO_FLUSH);
                } else if (source.hasRemaining()) {
                    int n = Math.min(source.remaining(), scratch.length);
                    source.get(scratch, 0, n);
                    crc.update(scratch, 0, n);
                    size += n;
                    taken += n;
                    deflater.setInput(scratch, 0, n);
                    pending = true;
                } else if (pending) {
                    if (deflate(out, Deflater.SYNC_FLUSH)) {
                        pending = false; // all given so far is out
                    }
                } else {
                    break;
                }
            }
        } finally {
            source.limit(limit).position(position);
        }
        return taken;
    }

    /** Whether the whole body, trailer and last chunk included, has been written out. */
    boolean done() {
        return trailerSent;
    }

    /** Whether compressed output is still held back, waiting for room. */
    boolean pending() {
        return pending;
    }

    /** One deflate call into a new chunk; true when it did not fill the room it had (a flush is then complete). */
    private boolean deflate(ByteBuffer out, int flush) {
        int chunkStart = reserve(out);
        int room = out.remaining() - 2;
        int limit = out.limit();
        out.limit(out.position() + room);
        int produced = deflater.deflate(out, flush);
        out.limit(limit);
        close(out, chunkStart);
        return produced < room;
    }

    /** Writes what the deflater still holds, the gzip trailer and the last chunk; false while more room is needed. */
    boolean finish(ByteBuffer out) {
        if (!finished) {
            deflater.finish();
            while (!deflater.finished() && out.remaining() > FRAMING + 64 + (headerSent ? 0 : HEADER.length)) {
                deflate(out, Deflater.NO_FLUSH);
            }
            if (!deflater.finished()) {
                return false;
            }
            finished = true;
        }
        if (!trailerSent) {
            if (out.remaining() < FRAMING + 8 + 5) {
                return false;
            }
            int chunkStart = reserve(out);
            int c = (int) crc.getValue();
            int s = (int) size;
            out.put((byte) c).put((byte) (c >>> 8)).put((byte) (c >>> 16)).put((byte) (c >>> 24));
            out.put((byte) s).put((byte) (s >>> 8)).put((byte) (s >>> 16)).put((byte) (s >>> 24));
            close(out, chunkStart);
            if (chunked) {
                out.put((byte) '0').put((byte) '\r').put((byte) '\n').put((byte) '\r').put((byte) '\n');
            }
            trailerSent = true;
            release();
        }
        return true;
    }

    /** Gives the deflater back for another response (or ends it when enough are kept). */
    void release() {
        if (released) {
            return;
        }
        released = true;
        ArrayDeque<Deflater> pool = POOL.get();
        if (pool.size() < MAX_POOLED && !pool.contains(deflater)) {
            deflater.reset();
            pool.addFirst(deflater);
        } else if (!pool.contains(deflater)) {
            deflater.end();
        }
    }

    /** Leaves room for a chunk-size line (8 hex digits and CRLF) and the gzip header if not yet sent. */
    private int reserve(ByteBuffer out) {
        int start = out.position();
        if (chunked) {
            out.position(start + 10);
        }
        if (!headerSent) {
            out.put(HEADER);
            headerSent = true;
        }
        return start;
    }

    /** Writes the chunk-size line in front of the data written since {@code start}, and the CRLF after it. */
    private void close(ByteBuffer out, int start) {
        if (!chunked) {
            return;
        }
        int dataStart = start + 10;
        int length = out.position() - dataStart;
        if (length == 0) {
            out.position(start);
            return;
        }
        out.put((byte) '\r').put((byte) '\n');
        // the size as 8 hex digits (leading zeros are allowed), then CRLF, exactly in the 10 bytes kept
        for (int i = 0; i < 8; i++) {
            int digit = (length >>> (28 - 4 * i)) & 0xf;
            out.put(start + i, (byte) (digit < 10 ? '0' + digit : 'a' + digit - 10));
        }
        out.put(start + 8, (byte) '\r');
        out.put(start + 9, (byte) '\n');
    }
}
