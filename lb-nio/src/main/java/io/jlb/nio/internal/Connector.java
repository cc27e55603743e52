package io.jlb.nio.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/** Opens connections to backends on a loop: TCP, or whatever a test puts in its place. */
@FunctionalInterface
public interface Connector {
    /** Non-blocking TCP with TCP_NODELAY. */
    Connector TCP = (loop, address, handler) -> {
        SocketChannel channel = Addresses.openSocket(address);
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            PlainTransport t = new PlainTransport(channel);
            t.register(loop, handler);
            t.connecting = !channel.connect(address);
            return t;
        } catch (IOException | RuntimeException e) { // UnresolvedAddressException and friends are unchecked
            channel.close();
            throw e;
        }
    };

    /**
     * Starts a connection to {@code address}, registered on {@code loop} for {@code handler}. While
     * {@link Transport#finishConnect()} says false, the caller asks for {@code OP_CONNECT} and calls it again when
     * ready.
     */
    Transport connect(EventLoop loop, InetSocketAddress address, IoHandler handler) throws IOException;
}
