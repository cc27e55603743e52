package io.jlb.http.internal;

import java.nio.ByteBuffer;

/**
 * The framing the proxy writes around body data it forwards over HTTP/1.1: none (the head says Content-Length, or
 * the connection's end delimits the body, as for an HTTP/1.0 client), or chunks of its own — one per segment of data,
 * sizes in lower-case hex without extensions, the last chunk followed by the trailer fields the source kept. Never a
 * byte of the sender's framing. Writes into a small framing buffer that goes out before the data it precedes; a
 * gathering write sends both. One per direction of a connection; loop-confined.
 */
public abstract class BodyEncoder {
    /** Room for a chunk's closing CRLF and the next size line. */
    public static final int MAX_FRAMING = 2 + 16 + 2;

    /** Data as it is: Content-Length in the head, or the end of the connection, delimits it. */
    public static final BodyEncoder PLAIN = new BodyEncoder() {
        @Override
        public void beforeData(int n, ByteBuffer framing) {
        }

        @Override
        public int endLength(BodyDecoder source) {
            return 0;
        }

        @Override
        public void end(BodyDecoder source, ByteBuffer framing) {
        }
    };

    BodyEncoder() {}

    /** A chunked encoder (it keeps whether a chunk is open, so one per connection direction). */
    public static BodyEncoder chunked() {
        return new Chunked();
    }

    /** Writes the framing that goes before {@code n} (> 0) bytes of data. */
    public abstract void beforeData(int n, ByteBuffer framing);

    /** How many bytes {@link #end} writes for a body from {@code source}. */
    public abstract int endLength(BodyDecoder source);

    /** Writes the framing that ends the body, with {@code source}'s trailers where there are any. */
    public abstract void end(BodyDecoder source, ByteBuffer framing);

    /** Starts a new body. */
    public void reset() {
    }

    private static final class Chunked extends BodyEncoder {
        private static final byte[] HEX = Ascii.bytes("0123456789abcdef");
        private boolean open;

        @Override
        public void reset() {
            open = false;
        }

        @Override
        public void beforeData(int n, ByteBuffer framing) {
            if (open) {
                crlf(framing);
            }
            int digits = Math.max(1, (64 - Long.numberOfLeadingZeros(n) + 3) / 4);
            for (int i = digits - 1; i >= 0; i--) {
                framing.put(HEX[(n >>> (4 * i)) & 0xf]);
            }
            crlf(framing);
            open = true;
        }

        @Override
        public int endLength(BodyDecoder source) {
            return (open ? 2 : 0) + 3 + source.trailersLength() + 2;
        }

        @Override
        public void end(BodyDecoder source, ByteBuffer framing) {
            if (open) {
                crlf(framing);
            }
            framing.put((byte) '0');
            crlf(framing);
            source.writeTrailers(framing);
            crlf(framing);
            open = false;
        }

        private static void crlf(ByteBuffer out) {
            out.put((byte) '\r').put((byte) '\n');
        }
    }
}
