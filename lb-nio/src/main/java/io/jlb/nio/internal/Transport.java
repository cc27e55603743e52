package io.jlb.nio.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The byte stream of one connection as its owner sees it: plain TCP, or TLS over TCP with the encryption done
 * here. Non-blocking and loop-confined, like the channel under it. An owner calls {@link #onReady} first on each
 * readiness event and passes its wanted interest through {@link #interestOps} before setting it, so that a TLS
 * transport can add what it needs (write interest to flush records, read interest during a handshake) and can wake
 * the owner when plaintext is already buffered.
 */
public interface Transport {
    /** Reads plaintext into {@code dst}; 0 when none is ready, -1 at end of stream. */
    int read(ByteBuffer dst) throws IOException;

    /** Writes plaintext from {@code src}; returns the bytes taken (0 when the connection cannot take more now). */
    int write(ByteBuffer src) throws IOException;

    /** Writes plaintext from several buffers in order; returns the bytes taken. */
    long write(ByteBuffer[] srcs) throws IOException;

    /** Ends the output direction once what was written has gone out (TLS: close_notify first). */
    void shutdownOutput() throws IOException;

    /** Closes the connection; with {@code abortive}, with a reset. */
    void close(boolean abortive);

    /** The socket under it. */
    SocketChannel channel();

    /** Registers the socket with {@code loop} for {@code handler} (taking over a registration it already has). */
    void register(EventLoop loop, IoHandler handler) throws IOException;

    /** Asks for the readiness {@code wanted}, as {@link #interestOps} adjusts it; nothing happens when unchanged. */
    void interest(int wanted);

    /** Completes a connection being made ({@link Connector}); true once connected. */
    default boolean finishConnect() throws IOException {
        return true;
    }

    /** The readiness the owner should act on, after the transport has used this event for itself. */
    int onReady(int readyOps) throws IOException;

    /** The interest to register for an owner that wants {@code wanted}. */
    int interestOps(int wanted);

    /** Whether written bytes are still waiting to go out. */
    boolean hasPendingOutput();

    /**
     * Whether a read that gave {@code n} bytes of the {@code room} asked for shows that nothing more is waiting, so
     * that reading again would only find nothing: a short TCP read does (the next readiness event brings the rest).
     */
    default boolean drainedBy(int n, int room) {
        return n < room;
    }

    /**
     * Where to turn when the transport has something for its owner that no readiness event will bring (plaintext
     * already decrypted, a handshake task done). Plain TCP never does.
     */
    default void onWake(Runnable wake) {
    }

    /** The plain TCP transport of {@code channel}. */
    static Transport plain(SocketChannel channel) {
        return new PlainTransport(channel);
    }
}
