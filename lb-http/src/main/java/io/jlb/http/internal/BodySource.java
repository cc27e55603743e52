package io.jlb.http.internal;

import java.nio.ByteBuffer;

/**
 * Body data that one side of an exchange has read and the other side forwards, in place: a window of the reading
 * side's buffer, consumed as it is written, never copied. The reading side decodes its wire framing on demand, when
 * the window was drained and {@link #ready()} asks for more. Loop-confined.
 */
public interface BodySource {
    /**
     * Makes the next data ready if the bytes read so far hold any; true when a window [{@link #from()},
     * {@link #to()}) of {@link #buffer()} is ready. False when none is now: then {@link #complete()} or
     * {@link #failed()} may be true, or more must be read.
     */
    boolean ready();

    /** The buffer holding the ready data. */
    ByteBuffer buffer();

    /** Where the ready data starts in {@link #buffer()}. */
    int from();

    /** Where it ends (exclusive). */
    int to();

    /** The forwarding side wrote {@code n} bytes from the start of the ready data. */
    void consumed(int n);

    /** Whether the whole body has been made ready and consumed. */
    boolean complete();

    /** Whether the body's framing turned out to be wrong (the reading side knows what to do about it). */
    boolean failed();

    /** How the body is framed where it was read: its trailers, when it had some. */
    BodyDecoder decoder();
}
