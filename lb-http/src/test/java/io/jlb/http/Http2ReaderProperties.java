package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.http.internal.h2.Frames;
import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Invariants of the frame reader: arbitrary bytes after the preface end in a connection error or wait for more, never
 * in another exception or a loop; whatever the split of the bytes into reads, the same frames are seen.
 */
class Http2ReaderProperties {

    /** Records what the reader hands over. */
    static final class Recorder implements Http2Reader.Handler {
        final StringBuilder seen = new StringBuilder();
        int errors;

        @Override
        public boolean paused() {
            return false;
        }

        @Override
        public void data(int stream, boolean endStream, ByteBuffer in, int from, int length, int flow) {
            assertTrue(length >= 0 && flow >= length && from >= 0 && from + length <= in.position(), "data in bounds");
            seen.append("D").append(stream).append(':').append(length).append(endStream ? "e" : "").append(' ');
        }

        @Override
        public void headerBlock(int stream, boolean endStream, ByteBuffer block, int length) {
            seen.append("H").append(stream).append(':').append(length).append(' ');
        }

        @Override
        public void reset(int stream, int code) {
            seen.append("R").append(stream).append(' ');
        }

        @Override
        public void settings(ByteBuffer in, int from, int length) {
            assertTrue(length % 6 == 0, "whole settings");
            seen.append("S").append(length).append(' ');
        }

        @Override
        public void ping(long opaque, boolean ack) {
            seen.append("P ");
        }

        @Override
        public void goaway() {
            seen.append("G ");
        }

        @Override
        public void windowUpdate(int stream, int increment) {
            assertTrue(increment >= 0, "31-bit increments");
            seen.append("W").append(stream).append(' ');
        }

        @Override
        public void connectionError(int code, String why) {
            errors++;
            seen.append("E").append(code).append(' ');
        }

        @Override
        public void glitch(String what) {
        }

        @Override
        public void tripped(String what, Http2Limits.Kind kind) {
        }
    }

    private static ByteBuffer input(byte[] afterPreface) {
        ByteBuffer b = ByteBuffer.allocate(Frames.PREFACE.length + 15 + afterPreface.length);
        b.put(Frames.PREFACE);
        b.put(new byte[] {0, 0, 6, Frames.SETTINGS, 0, 0, 0, 0, 0, 0, 4, 0, 0, (byte) 0xff, (byte) 0xff});
        b.put(afterPreface);
        return b;
    }

    @Property(tries = 2000)
    void arbitraryBytesEndInAConnectionErrorOrWaitForMore(@ForAll @Size(max = 400) byte[] bytes) {
        Recorder r = new Recorder();
        Http2Reader reader = new Http2Reader(r, 16_384, 16_384, 8);
        ByteBuffer in = input(bytes);
        reader.process(in);
        assertTrue(r.errors <= 1, "at most one connection error: " + r.seen);
        if (r.errors == 0) {
            assertTrue(in.position() < Frames.HEADER + 16_384 + 1, "what is left is part of one frame");
        }
    }

    @Property(tries = 2000)
    void arbitraryFramesEndInAConnectionErrorOrAreHandled(
            @ForAll @Size(max = 20) java.util.List<@IntRange(min = 0, max = 0x7fffffff) Integer> shapes,
            @ForAll @Size(max = 200) byte[] payloads) {
        ByteBuffer frames = ByteBuffer.allocate(20 * (Frames.HEADER + 200));
        int p = 0;
        for (int shape : shapes) {
            int type = shape % 11;
            int flags = (shape >>> 4) & 0x2d;
            int stream = (shape >>> 10) % 6;
            int length = Math.min((shape >>> 13) % 24, payloads.length - p);
            frames.put((byte) 0).put((byte) 0).put((byte) length).put((byte) type).put((byte) flags).putInt(stream);
            frames.put(payloads, p, length);
            p += length;
        }
        byte[] bytes = new byte[frames.position()];
        frames.flip().get(bytes);
        Recorder r = new Recorder();
        ByteBuffer in = input(bytes);
        new Http2Reader(r, 16_384, 16_384, 8).process(in);
        assertTrue(r.errors <= 1, "at most one connection error: " + r.seen);
        assertTrue(r.errors == 1 || in.position() == 0, "every whole frame taken: " + r.seen);
    }

    @Property(tries = 500)
    void theSplitIntoReadsChangesNothing(@ForAll @Size(max = 300) byte[] bytes, @ForAll @IntRange(min = 1, max = 40) int chunk) {
        Recorder whole = new Recorder();
        new Http2Reader(whole, 16_384, 16_384, 8).process(input(bytes));
        Recorder pieces = new Recorder();
        Http2Reader reader = new Http2Reader(pieces, 16_384, 16_384, 8);
        ByteBuffer all = input(bytes).flip();
        ByteBuffer in = ByteBuffer.allocate(all.remaining() + 64);
        while (all.hasRemaining() && pieces.errors == 0) {
            int n = Math.min(chunk, all.remaining());
            in.put(all.slice(all.position(), n));
            all.position(all.position() + n);
            reader.process(in);
        }
        if (pieces.errors == 0 && whole.errors == 0) {
            assertTrue(whole.seen.toString().equals(pieces.seen.toString()), whole.seen + " vs " + pieces.seen);
        } else {
            assertTrue(whole.seen.toString().startsWith(pieces.seen.toString().replaceAll("E\\d+ $", ""))
                    || pieces.seen.toString().startsWith(whole.seen.toString().replaceAll("E\\d+ $", "")),
                    whole.seen + " vs " + pieces.seen);
        }
    }
}
