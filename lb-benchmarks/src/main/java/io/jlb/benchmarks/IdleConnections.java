package io.jlb.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens N TCP connections to HOST:PORT, sends nothing, prints {@code ready N} and holds them until standard input
 * closes. The comparison script uses it to measure each proxy's memory per idle proxied connection.
 *
 * <pre>java -cp benchmarks.jar io.jlb.benchmarks.IdleConnections 127.0.0.1 46379 10000</pre>
 */
public final class IdleConnections {
    private IdleConnections() {}

    public static void main(String[] args) throws IOException {
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        List<SocketChannel> open = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            SocketChannel ch = SocketChannel.open();
            ch.connect(target);
            open.add(ch);
        }
        System.out.println("ready " + open.size());
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold until our standard input closes
        }
        for (SocketChannel ch : open) {
            ch.close();
        }
    }
}
