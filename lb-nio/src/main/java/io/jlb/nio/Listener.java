package io.jlb.nio;

import java.net.InetSocketAddress;

/**
 * What an operator sees of a running listener, whatever it speaks: its name, protocol, address, counters and TLS.
 * The TCP, UDP and HTTP proxies are listeners; the admin server shows and exports any listener through this view
 * alone.
 */
public interface Listener {
    /** The listener's name, as configured. */
    String name();

    /** The protocol it serves: {@code tcp}, {@code udp} or {@code http}. */
    String protocol();

    /** The bound address; null before it is started. */
    InetSocketAddress address();

    /** Its live counters. */
    ListenerStats stats();

    /** Its TLS certificates, or null when it serves no TLS. */
    ServerTls tls();
}
