package io.jlb.nio.internal;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * A socket's registration with its loop's selector, and the interest set last applied: setting the same set again
 * costs nothing (each change is an epoll_ctl). Loop-confined.
 */
final class Registration {
    private SelectionKey key;
    private int ops;

    /** Registers {@code channel} for {@code handler}, or hands an existing registration over to it. */
    void register(EventLoop loop, SocketChannel channel, IoHandler handler) throws IOException {
        SelectionKey existing = channel.keyFor(loop.selector());
        if (existing != null && existing.isValid()) {
            existing.attach(handler);
            key = existing;
            ops = existing.interestOps();
        } else {
            key = loop.register(channel, 0, handler);
            ops = 0;
        }
    }

    /** Applies {@code wanted} unless it is the set already applied. */
    void set(int wanted) {
        if (wanted != ops && key != null && key.isValid()) {
            ops = wanted;
            key.interestOps(wanted);
        }
    }
}
