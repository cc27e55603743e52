package io.jlb.nio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Connections are spread evenly over the loops, whichever loop's socket the kernel hands them to. */
class AcceptorsTest {
    private final Loops loops = Loops.start("accept-test", 2, 4096);

    @AfterEach
    void stop() {
        loops.close();
    }

    @Test
    void connectionsKeptOpenAreSpreadEvenlyOverTheLoops() throws Exception {
        Map<EventLoop, AtomicInteger> served = new ConcurrentHashMap<>();
        List<SocketChannel> accepted = new CopyOnWriteArrayList<>();
        Acceptors acceptors = Acceptors.bind(loops, new InetSocketAddress("127.0.0.1", 0), 128, (loop, channel) -> {
            loop.addLoad(1); // as a server runtime counts an opened connection
            served.computeIfAbsent(loop, l -> new AtomicInteger()).incrementAndGet();
            accepted.add(channel);
        }, () -> true);
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                Socket s = new Socket();
                s.connect(acceptors.address(), 5_000);
                clients.add(s);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (accepted.size() <= i && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertEquals(i + 1, accepted.size(), "accepted in time");
            }
            int a = loops.loop(0).load();
            int b = loops.loop(1).load();
            assertEquals(40, a + b);
            assertTrue(Math.abs(a - b) <= 2, "loads " + a + " and " + b);
            assertEquals(a, served.get(loops.loop(0)).get());
        } finally {
            for (Socket s : clients) {
                s.close();
            }
            for (SocketChannel c : accepted) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // test only
                }
            }
            acceptors.close().join();
        }
    }
}
