package io.jlb.http;

import io.jlb.nio.Listener;
import java.net.InetSocketAddress;
import java.util.List;

/** The listeners an admin server shows, each under the name it was watched as. Immutable. */
record AdminListeners(List<Named> all) {
    /** A listener and the name it is shown as. */
    record Named(String name, Listener listener) {
        String protocol() {
            return listener.protocol();
        }

        /** {@code listener}, {@code name}, {@code protocol}, {@code protocol}: the labels of its metrics. */
        String[] labels() {
            return new String[] {"listener", name, "protocol", listener.protocol()};
        }

        /** The bound address as {@code host:port} ({@code [v6]:port}); empty before it is bound. */
        String address() {
            InetSocketAddress a = listener.address();
            if (a == null) {
                return "";
            }
            String host = a.getAddress() == null ? a.getHostString() : io.jlb.nio.internal.Addresses.text(a.getAddress());
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
        }

        /** The key of its trend series. */
        String trendKey() {
            return "listener:" + name;
        }
    }

    AdminListeners {
        all = List.copyOf(all);
    }
}
