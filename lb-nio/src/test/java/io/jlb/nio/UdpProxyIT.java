package io.jlb.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import io.jlb.core.testing.Await;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class UdpProxyIT {
    /** Answers every datagram with "name:payload", like a tiny DNS server would answer a query. */
    static final class UdpEcho implements AutoCloseable {
        final DatagramSocket socket;
        final Thread thread;

        UdpEcho(String name) throws IOException {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                byte[] buf = new byte[65_535];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        socket.receive(p);
                        byte[] reply = (name + ":" + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8))
                                .getBytes(StandardCharsets.UTF_8);
                        socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "udp-echo-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        String hostPort() {
            return "127.0.0.1:" + socket.getLocalPort();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private UdpEcho a;
    private UdpEcho b;
    private LoadBalancer lb;
    private UdpProxy proxy;

    @BeforeEach
    void start() throws IOException {
        a = new UdpEcho("a");
        b = new UdpEcho("b");
        lb = LoadBalancer.builder().pool("dns", p -> p.backends(a.hostPort(), b.hostPort()).selector("round-robin"))
                .build();
        proxy = UdpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).pool("dns").threads(2)
                .sessionTimeout(Duration.ofMillis(400)).build().start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        lb.close();
        a.close();
        b.close();
    }

    private String ask(DatagramSocket client, String query) throws IOException {
        byte[] q = query.getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(q, q.length, proxy.address()));
        DatagramPacket reply = new DatagramPacket(new byte[65_535], 65_535);
        client.receive(reply);
        assertEquals(proxy.address().getPort(), reply.getPort(), "replies come from the listening address");
        return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void eachClientSticksToOneBackendAndGetsItsOwnReplies() throws Exception {
        Map<Integer, String> backendOf = new HashMap<>();
        Set<String> used = new HashSet<>();
        DatagramSocket[] clients = new DatagramSocket[6];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            clients[i].setSoTimeout(5_000);
        }
        try {
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < clients.length; i++) {
                    String answer = ask(clients[i], "query-" + i + "-" + round);
                    String backend = answer.substring(0, 1);
                    assertEquals(backend + ":query-" + i + "-" + round, answer);
                    String before = backendOf.putIfAbsent(i, backend);
                    assertTrue(before == null || before.equals(backend), "client " + i + " stays on its backend");
                    used.add(backend);
                }
            }
            assertEquals(Set.of("a", "b"), used, "sessions spread over both backends");
            assertEquals(6, proxy.stats().accepted());
            assertEquals(6, proxy.stats().active());
        } finally {
            for (DatagramSocket c : clients) {
                c.close();
            }
        }
    }

    @Test
    void anEndedSessionGetsOneAccessLogLine() throws Exception {
        java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AccessLog log = AccessLog.to(lines::add, 64);
                UdpProxy logged = UdpProxy.builder().name("dns").listen("127.0.0.1:0").loadBalancer(lb).pool("dns")
                        .threads(1).sessionTimeout(Duration.ofMillis(300)).accessLog(log).build().start();
                DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(5_000);
            byte[] query = "q".getBytes(StandardCharsets.UTF_8);
            client.send(new DatagramPacket(query, query.length, logged.address()));
            DatagramPacket reply = new DatagramPacket(new byte[100], 100);
            client.receive(reply);
            Await.until(Duration.ofSeconds(10), "the idle session ends with a line", () -> lines.size() == 1);
            String line = lines.get(0);
            assertTrue(line.startsWith("127.0.0.1 - - ["), line);
            assertTrue(line.contains("] \"UDP\" - " + reply.getLength() + " \"-\" \"-\" listener=dns pool=dns upstream=127.0.0.1:"), line);
            assertTrue(line.contains(" bytes_in=1 connect_ms=- total_ms="), line);
            assertTrue(line.endsWith(" outcome=idle-timeout"), line);
        }
    }

    @Test
    void sessionsExpireWhenIdle() throws Exception {
        try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(5_000);
            ask(client, "hello");
            assertEquals(1, proxy.stats().active());
            Await.until(Duration.ofSeconds(5), "session expired", () -> proxy.stats().active() == 0);
            assertEquals(1, proxy.stats().idleTimeouts());
            assertEquals(0, lb.pool("dns").active(), "its lease was released");
            ask(client, "again");
            assertEquals(2, proxy.stats().accepted(), "a new session after expiry");
        }
    }

    @Test
    void aDeadBackendEndsTheSessionAndTheClientIsServedElsewhereOnRetry() throws Exception {
        b.close();
        try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(300);
            String answer = null;
            for (int attempt = 0; attempt < 10 && answer == null; attempt++) {
                try {
                    answer = ask(client, "q" + attempt);
                } catch (SocketTimeoutException lost) {
                    // sent to the dead backend: the ICMP unreachable ends that session
                }
            }
            assertEquals("a:", answer.substring(0, 2));
        }
    }

    @Test
    void closeReleasesEverything() throws Exception {
        try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(2_000);
            ask(client, "x");
            proxy.close();
            assertEquals(0, proxy.stats().active());
            byte[] q = "after close".getBytes();
            client.send(new DatagramPacket(q, q.length, proxy.address()));
            assertThrows(SocketTimeoutException.class, () -> client.receive(new DatagramPacket(new byte[100], 100)));
        }
    }
}
