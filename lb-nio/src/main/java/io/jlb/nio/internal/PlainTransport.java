package io.jlb.nio.internal;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** Plain TCP: every call goes straight to the channel. */
final class PlainTransport implements Transport {
    private final SocketChannel channel;
    private final Registration registration = new Registration();
    /** Whether a connection is still being made. */
    boolean connecting;

    PlainTransport(SocketChannel channel) {
        this.channel = channel;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return channel.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return channel.write(srcs);
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void close(boolean abortive) {
        try {
            if (abortive && channel.isOpen()) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
            channel.close();
        } catch (IOException | RuntimeException ignored) {
            // closing
        }
    }

    @Override
    public SocketChannel channel() {
        return channel;
    }

    @Override
    public void register(EventLoop loop, IoHandler handler) throws IOException {
        registration.register(loop, channel, handler);
    }

    @Override
    public void interest(int wanted) {
        registration.set(wanted);
    }

    @Override
    public boolean finishConnect() throws IOException {
        if (connecting && channel.finishConnect()) {
            connecting = false;
        }
        return !connecting;
    }

    @Override
    public int onReady(int readyOps) {
        return readyOps;
    }

    @Override
    public int interestOps(int wanted) {
        return wanted;
    }

    @Override
    public boolean hasPendingOutput() {
        return false;
    }
}
