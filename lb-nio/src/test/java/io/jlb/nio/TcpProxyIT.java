package io.jlb.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.Backend;
import io.jlb.core.LoadBalancer;
import io.jlb.core.Member;
import io.jlb.core.OutlierDetection;
import io.jlb.core.testing.Await;
import io.jlb.core.testing.TestServer;
import io.jlb.nio.internal.Loops;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class TcpProxyIT {
    private static EventLoopGroup loops;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeAll
    static void startLoops() {
        loops = EventLoopGroup.create(2, 16 * 1024);
    }

    @AfterAll
    static void stopLoops() {
        loops.close();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        cleanup.add(resource);
        return resource;
    }

    private LoadBalancer lb(Consumer<io.jlb.core.PoolBuilder> pool) {
        return closeLater(LoadBalancer.builder().pool("p", pool).build().start());
    }

    private TcpProxy proxy(LoadBalancer lb, Consumer<TcpProxyBuilder> options) {
        TcpProxyBuilder b = TcpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).pool("p").eventLoops(loops);
        options.accept(b);
        return closeLater(b.build().start());
    }

    private static Socket connect(TcpProxy proxy) throws IOException {
        Socket s = new Socket();
        s.connect(proxy.address(), 5_000);
        s.setSoTimeout(20_000);
        return s;
    }

    @Test
    void eachConnectionGetsOneAccessLogLineWhenItEnds() throws Exception {
        TestServer echo = closeLater(TestServer.echo());
        LoadBalancer lb = lb(p -> p.backend(Backend.parse(echo.hostPort()).withName("db-1")).panicThreshold(0));
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        AccessLog log = closeLater(AccessLog.to(lines::add, 64));
        TcpProxy proxy = proxy(lb, b -> b.name("db").accessLog(log));
        try (Socket s = connect(proxy)) {
            s.getOutputStream().write("12345".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertEquals(5, s.getInputStream().readAllBytes().length);
        }
        Await.until(Duration.ofSeconds(10), "one access-log line", () -> lines.size() == 1);
        String line = lines.get(0);
        assertTrue(line.matches("127\\.0\\.0\\.1 - - \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\+0000\\] "
                + "\"TCP\" - 5 \"-\" \"-\" listener=db pool=p upstream=" + java.util.regex.Pattern.quote(echo.hostPort())
                + " bytes_in=5 connect_ms=\\d+\\.\\d{3} total_ms=\\d+\\.\\d{3} outcome=closed"), line);

        lb.pool("p").markDown("db-1", "test");
        try (Socket s = connect(proxy)) {
            assertEquals(-1, s.getInputStream().read(), "no backend: closed");
        }
        Await.until(Duration.ofSeconds(10), "a line for the refused connection", () -> lines.size() == 2);
        assertTrue(lines.get(1).matches(".*\\] \"TCP\" - 0 \"-\" \"-\" listener=db pool=p upstream=- bytes_in=0 connect_ms=- "
                + "total_ms=\\d+\\.\\d{3} outcome=no-backend"), lines.get(1));
    }

    @Test
    void manyConcurrentConnectionsRelayRandomPayloadsExactlyBothWays() throws Exception {
        TestServer echo1 = closeLater(TestServer.echo());
        TestServer echo2 = closeLater(TestServer.echo());
        LoadBalancer lb = lb(p -> p.backends(echo1.hostPort(), echo2.hostPort()).selector("round-robin"));
        TcpProxy proxy = proxy(lb, b -> { });
        int clients = 40;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int seed = c;
                results.add(pool.submit(() -> echoRoundTrip(proxy, seed)));
            }
            long total = 0;
            for (Future<Long> f : results) {
                total += f.get(60, TimeUnit.SECONDS);
            }
            assertTrue(total > 4 << 20, "several MiB relayed: " + total);
            assertEquals(total, proxy.stats().bytesFromClients());
            Await.until(Duration.ofSeconds(10), "all sessions closed", () -> proxy.stats().active() == 0);
            assertEquals(total, proxy.stats().bytesToClients());
            assertTrue(echo1.accepted() > 0 && echo2.accepted() > 0);
            long toBackends = lb.pool("p").members().stream().mapToLong(Member::bytesToBackend).sum();
            assertEquals(total, toBackends);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Sends a random payload, half-closes, reads the echo to the end; returns the size after checking SHA-256. */
    private static long echoRoundTrip(TcpProxy proxy, int seed) throws Exception {
        Random r = new Random(seed);
        byte[] payload = new byte[1 + r.nextInt(400_000)];
        r.nextBytes(payload);
        try (Socket s = connect(proxy)) {
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int off = 0; off < payload.length; ) {
                        int n = Math.min(payload.length - off, 1 + r.nextInt(70_000));
                        out.write(payload, off, n);
                        off += n;
                    }
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            byte[] echoed = s.getInputStream().readAllBytes();
            writer.join();
            assertEquals(payload.length, echoed.length, "seed " + seed);
            assertArrayEquals(sha(payload), sha(echoed), "seed " + seed);
        }
        return payload.length;
    }

    private static byte[] sha(byte[] data) {
        MessageDigest d = TestServer.sha256();
        return d.digest(data);
    }

    @Test
    void halfCloseTravelsBothWays() throws Exception {
        TestServer digest = closeLater(TestServer.digest());
        TcpProxy toDigest = proxy(lb(p -> p.backend(digest.hostPort())), b -> { });
        byte[] upload = new byte[3 << 20];
        new Random(1).nextBytes(upload);
        try (Socket s = connect(toDigest)) {
            s.getOutputStream().write(upload);
            s.shutdownOutput(); // the server only answers after our FIN arrives
            byte[] answer = s.getInputStream().readAllBytes();
            assertArrayEquals(sha(upload), answer);
        }
        // The other way: the server finishes sending and half-closes while the client still sends.
        TestServer source = closeLater(TestServer.source(2 << 20));
        LoadBalancer lb2 = closeLater(LoadBalancer.builder().pool("p", p -> p.backend(source.hostPort())).build());
        TcpProxy toSource = proxy(lb2, b -> { });
        try (Socket s = connect(toSource)) {
            byte[] downloaded = s.getInputStream().readAllBytes(); // EOF: the server's FIN came through
            assertArrayEquals(TestServer.sourceBytes(2 << 20), downloaded);
            s.getOutputStream().write("still talking after your FIN".getBytes());
            s.shutdownOutput();
        }
        Await.until(Duration.ofSeconds(10), "both sessions done", () -> toSource.stats().active() == 0);
    }

    @Test
    void aRefusingBackendIsSkippedAndTheClientServedByAnother() throws Exception {
        TestServer echo = closeLater(TestServer.echo());
        int dead = freePort();
        LoadBalancer lb = lb(p -> p.backends("127.0.0.1:" + dead, echo.hostPort()).selector("round-robin")
                .outlierDetection(OutlierDetection.disabled()));
        TcpProxy proxy = proxy(lb, b -> b.connectAttempts(2));
        for (int i = 0; i < 6; i++) {
            echoRoundTrip(proxy, i); // every client is served
        }
        long failures = proxy.stats().connectFailures();
        assertTrue(failures >= 1, "the dead backend was tried");
        assertEquals(failures, proxy.stats().retries(), "each failure was retried on the live backend");
        assertEquals(0, proxy.stats().rejected());
        assertEquals(failures, lb.pool("p").member("127.0.0.1:" + dead).orElseThrow().failures());
    }

    @Test
    void passiveDetectionEjectsARefusingBackend() throws Exception {
        TestServer echo = closeLater(TestServer.echo());
        int dead = freePort();
        LoadBalancer lb = lb(p -> p.backends("127.0.0.1:" + dead, echo.hostPort()).selector("round-robin")
                .outlierDetection(OutlierDetection.defaults().withConsecutiveFailures(2)));
        TcpProxy proxy = proxy(lb, b -> { });
        Member deadMember = lb.pool("p").member("127.0.0.1:" + dead).orElseThrow();
        for (int i = 0; i < 4; i++) {
            echoRoundTrip(proxy, i);
        }
        Await.until(Duration.ofSeconds(5), "ejected", deadMember::ejected);
        long failures = proxy.stats().connectFailures();
        for (int i = 0; i < 4; i++) {
            echoRoundTrip(proxy, i);
        }
        assertEquals(failures, proxy.stats().connectFailures(), "no more attempts on an ejected backend");
    }

    @Test
    void whenEveryAttemptFailsTheClientIsClosed() throws Exception {
        int dead = freePort();
        LoadBalancer lb = lb(p -> p.backends("127.0.0.1:" + dead).outlierDetection(OutlierDetection.disabled()));
        TcpProxy proxy = proxy(lb, b -> b.connectAttempts(3));
        try (Socket s = connect(proxy)) {
            assertEquals(-1, s.getInputStream().read());
        }
        assertEquals(3, proxy.stats().connectFailures());
        assertEquals(1, proxy.stats().rejected());
    }

    @Test
    void aConnectTimeoutMovesOnToTheNextBackend() throws Exception {
        TestServer echo = closeLater(TestServer.echo());
        LoadBalancer lb = lb(p -> p.backend(Backend.of("127.0.0.1", echo.port()))
                .outlierDetection(OutlierDetection.disabled()));
        // A loopback listener whose backlog is full leaves new connects hanging: a backend that does not answer.
        try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    Socket f = new Socket();
                    try {
                        f.connect(full.getLocalSocketAddress(), 200);
                        fillers.add(f);
                    } catch (SocketTimeoutException e) {
                        f.close();
                        break;
                    }
                }
                lb.pool("p").add(Backend.of("127.0.0.1", full.getLocalPort()).withName("hanging"));
                lb.pool("p").drain(echo.hostPort());
                lb.pool("p").undrain(echo.hostPort());
                TcpProxy proxy = proxy(lb, b -> b.connectTimeout(Duration.ofMillis(300)).connectAttempts(3));
                for (int i = 0; i < 4; i++) {
                    echoRoundTrip(proxy, i);
                }
                assertEquals(0, proxy.stats().rejected());
            } finally {
                for (Socket f : fillers) {
                    f.close();
                }
            }
        }
    }

    @Test
    void aBackendDyingMidStreamClosesTheClient() throws Exception {
        TestServer dies = closeLater(TestServer.start("dies", (socket, server) -> {
            socket.getInputStream().readNBytes(10);
            socket.getOutputStream().write("partial".getBytes());
            socket.getOutputStream().flush();
            socket.setSoLinger(true, 0);
            socket.close();
        }));
        TcpProxy proxy = proxy(lb(p -> p.backend(dies.hostPort())), b -> { });
        try (Socket s = connect(proxy)) {
            s.getOutputStream().write("0123456789".getBytes());
            byte[] got = new byte[7];
            assertEquals(7, s.getInputStream().readNBytes(got, 0, 7), "bytes read before the reset still arrive");
            assertEquals("partial", new String(got));
            try {
                assertEquals(-1, s.getInputStream().read());
            } catch (IOException reset) {
                // a reset is an acceptable way to learn of the close too
            }
        }
        Await.until(Duration.ofSeconds(5), "session closed", () -> proxy.stats().active() == 0);
    }

    @Test
    void aSlowReaderStallsTheBackendInsteadOfFillingMemory() throws Exception {
        long size = 64L << 20;
        TestServer source = closeLater(TestServer.source(size));
        TcpProxy proxy = proxy(lb(p -> p.backend(source.hostPort())), b -> { });
        try (Socket s = connect(proxy)) {
            s.setReceiveBufferSize(64 * 1024);
            InputStream in = s.getInputStream();
            byte[] first = in.readNBytes(1024);
            assertEquals(1024, first.length);
            // Let the pipe fill: the proxy must stop reading from the backend rather than buffer the rest.
            Await.until(Duration.ofSeconds(10), "relay stalls", () -> proxy.stats().bytesToClients() > 0
                    && stableFor(proxy, Duration.ofMillis(300)));
            long relayedWhileStalled = proxy.stats().bytesToClients();
            assertTrue(relayedWhileStalled < size / 4, "stalled after " + relayedWhileStalled + " bytes");
            assertTrue(buffersInUse() <= 2, "at most two buffers per connection: " + buffersInUse());
            MessageDigest d = TestServer.sha256();
            d.update(first);
            byte[] buf = new byte[256 * 1024];
            long total = first.length;
            int n;
            while ((n = in.read(buf)) >= 0) {
                d.update(buf, 0, n);
                total += n;
            }
            assertEquals(size, total);
        }
    }

    private static boolean stableFor(TcpProxy proxy, Duration d) {
        long before = proxy.stats().bytesToClients();
        java.util.concurrent.locks.LockSupport.parkNanos(d.toNanos());
        return proxy.stats().bytesToClients() == before;
    }

    private static int buffersInUse() {
        Loops l = Loops.of(loops);
        int inUse = 0;
        for (int i = 0; i < l.size(); i++) {
            io.jlb.nio.internal.EventLoop loop = l.loop(i);
            inUse += loop.submit(() -> loop.buffers().inUse()).join();
        }
        return inUse;
    }

    @Test
    void anIdleConnectionIsClosed() throws Exception {
        TestServer echo = closeLater(TestServer.echo());
        TcpProxy proxy = proxy(lb(p -> p.backend(echo.hostPort())), b -> b.idleTimeout(Duration.ofMillis(300)));
        try (Socket s = connect(proxy)) {
            s.getOutputStream().write(1);
            assertEquals(1, s.getInputStream().read());
            long start = System.nanoTime();
            assertEquals(-1, s.getInputStream().read());
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(250));
        }
        Await.until(Duration.ofSeconds(5), "idle timeout counted", () -> proxy.stats().idleTimeouts() == 1);
        Await.until(Duration.ofSeconds(5), "no idle buffers", () -> buffersInUse() == 0);
    }

    @Test
    void connectionsBeyondTheLimitWaitForAFreeSlot() throws Exception {
        TestServer echo = closeLater(TestServer.echo());
        TcpProxy proxy = proxy(lb(p -> p.backend(echo.hostPort())), b -> b.maxConnections(2));
        Socket one = connect(proxy);
        Socket two = connect(proxy);
        assertEcho(one);
        assertEcho(two);
        Socket three = connect(proxy); // the kernel accepts it; the proxy does not serve it yet
        three.setSoTimeout(500);
        three.getOutputStream().write('x');
        assertThrows(SocketTimeoutException.class, () -> three.getInputStream().read());
        one.close();
        three.setSoTimeout(10_000);
        assertEquals('x', three.getInputStream().read());
        two.close();
        three.close();
    }

    @Test
    void aPerBackendLimitSendsTheOverflowElsewhere() throws Exception {
        TestServer a = closeLater(TestServer.echo());
        TestServer b = closeLater(TestServer.echo());
        TcpProxy proxy = proxy(lb(p -> p.backends(a.hostPort(), b.hostPort()).selector("round-robin")),
                o -> o.maxConnectionsPerBackend(1));
        Socket one = connect(proxy);
        Socket two = connect(proxy);
        assertEcho(one);
        assertEcho(two);
        assertEquals(1, a.openConnections());
        assertEquals(1, b.openConnections());
        try (Socket three = connect(proxy)) {
            assertEquals(-1, three.getInputStream().read(), "both backends full: closed");
        }
        one.close();
        two.close();
    }

    private static void assertEcho(Socket s) throws IOException {
        s.getOutputStream().write('k');
        assertEquals('k', s.getInputStream().read());
    }

    @Test
    void closingDrainsTransfersInFlightWithoutLosingAByte() throws Exception {
        TestServer digest = closeLater(TestServer.digest());
        LoadBalancer lb = lb(p -> p.backend(digest.hostPort()));
        TcpProxy proxy = TcpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).pool("p").eventLoops(loops)
                .drainTimeout(Duration.ofSeconds(20)).build().start();
        byte[] upload = new byte[8 << 20];
        new Random(3).nextBytes(upload);
        try (Socket s = connect(proxy)) {
            OutputStream out = s.getOutputStream();
            out.write(upload, 0, 1 << 20);
            Thread closer = new Thread(proxy::close);
            closer.start();
            Await.until(Duration.ofSeconds(5), "listener closed", () -> {
                try (Socket probe = new Socket()) {
                    probe.connect(proxy.address(), 200);
                    return false;
                } catch (IOException refused) {
                    return true;
                }
            });
            out.write(upload, 1 << 20, upload.length - (1 << 20));
            s.shutdownOutput();
            assertArrayEquals(sha(upload), s.getInputStream().readAllBytes());
            closer.join(20_000);
        }
        assertEquals(0, proxy.stats().active());
    }

    @Test
    void closingCutsWhatOutlivesTheDrainTimeout() throws Exception {
        TestServer echo = closeLater(TestServer.echo());
        TcpProxy proxy = TcpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb(p -> p.backend(echo.hostPort())))
                .pool("p").eventLoops(loops).drainTimeout(Duration.ofMillis(200)).build().start();
        try (Socket s = connect(proxy)) {
            assertEcho(s);
            proxy.close();
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test
    void drainingABackendLetsItsConnectionsFinishWhileNewOnesGoElsewhere() throws Exception {
        TestServer a = closeLater(TestServer.echo());
        TestServer b = closeLater(TestServer.echo());
        LoadBalancer lb = lb(p -> p.backends(a.hostPort(), b.hostPort()).selector("round-robin"));
        TcpProxy proxy = proxy(lb, o -> { });
        Socket onA = null;
        List<Socket> opened = new ArrayList<>();
        while (onA == null) {
            Socket s = connect(proxy);
            assertEcho(s);
            opened.add(s);
            if (a.openConnections() == 1) {
                onA = s;
            }
        }
        java.util.concurrent.CompletableFuture<Void> idle = lb.pool("p").drain(a.hostPort());
        for (int i = 0; i < 4; i++) {
            try (Socket s = connect(proxy)) {
                assertEcho(s);
            }
        }
        assertEquals(1, a.accepted(), "no new connection to the draining backend");
        assertEcho(onA); // still served
        assertTrue(!idle.isDone());
        onA.close();
        idle.get(10, TimeUnit.SECONDS);
        lb.pool("p").remove(a.hostPort());
        for (Socket s : opened) {
            s.close();
        }
    }

    @Test
    void sendsTheClientAddressWithProxyProtocolV1AndV2() throws Exception {
        for (ProxyProtocol version : ProxyProtocol.values()) {
            TestServer recording = closeLater(TestServer.recording());
            TcpProxy proxy = proxy(lb(p -> p.backend(recording.hostPort())), b -> b.sendProxyProtocol(version));
            int clientPort;
            try (Socket s = connect(proxy)) {
                clientPort = s.getLocalPort();
                s.getOutputStream().write("hello".getBytes());
            }
            Await.until(Duration.ofSeconds(5), "recorded", () -> recording.recorded().size() == 1);
            byte[] got = recording.recorded().get(0);
            java.nio.ByteBuffer view = java.nio.ByteBuffer.wrap(got);
            io.jlb.nio.internal.ProxyHeader.Result header = io.jlb.nio.internal.ProxyHeader.read(view);
            assertTrue(!header.invalid() && !header.needMore(), version + ": " + header.error());
            assertEquals(new InetSocketAddress("127.0.0.1", clientPort), header.source());
            assertEquals(proxy.address().getPort(), header.destination().getPort());
            assertEquals("hello", new String(got, header.length(), got.length - header.length()));
            if (version == ProxyProtocol.V1) {
                assertTrue(new String(got).startsWith("PROXY TCP4 127.0.0.1 127.0.0.1 " + clientPort + " "));
            }
        }
    }

    @Test
    void acceptsProxyProtocolFromABalancerInFrontAndPassesTheOriginalClientOn() throws Exception {
        TestServer recording = closeLater(TestServer.recording());
        LoadBalancer inner = lb(p -> p.backend(recording.hostPort()));
        TcpProxy behind = proxy(inner, b -> b.acceptProxyProtocol(true).sendProxyProtocol(ProxyProtocol.V1));
        LoadBalancer outer = closeLater(LoadBalancer.builder().pool("p", p -> p.backend(
                Backend.of("127.0.0.1", behind.address().getPort()))).build());
        TcpProxy front = proxy(outer, b -> b.sendProxyProtocol(ProxyProtocol.V2));
        int clientPort;
        try (Socket s = connect(front)) {
            clientPort = s.getLocalPort();
            s.getOutputStream().write("through two proxies".getBytes());
        }
        Await.until(Duration.ofSeconds(5), "recorded", () -> recording.recorded().size() == 1);
        String got = new String(recording.recorded().get(0));
        assertTrue(got.startsWith("PROXY TCP4 127.0.0.1 127.0.0.1 " + clientPort + " " + front.address().getPort()
                + "\r\nthrough two proxies"), got);
        // Without a header, the listener that requires one closes the connection and relays nothing.
        try (Socket s = connect(behind)) {
            s.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes());
            assertEquals(-1, s.getInputStream().read());
        }
        assertEquals(1, behind.stats().rejected());
        assertEquals(1, recording.accepted());
    }

    @Test
    void aClientThatNeverSendsTheRequiredHeaderIsTimedOut() throws Exception {
        TestServer echo = closeLater(TestServer.echo());
        TcpProxy proxy = proxy(lb(p -> p.backend(echo.hostPort())),
                b -> b.acceptProxyProtocol(true).inspectTimeout(Duration.ofMillis(200)));
        try (Socket s = connect(proxy)) {
            assertEquals(-1, s.getInputStream().read());
        }
        assertEquals(0, echo.accepted());
    }

    @Test
    void builderMistakesAreNamed() {
        LoadBalancer lb = lb(p -> { });
        assertEquals("listen: not set (expected: an address to listen on)", assertThrows(IllegalStateException.class,
                () -> TcpProxy.builder().loadBalancer(lb).pool("p").build()).getMessage());
        assertEquals("pool: 'nope' is not defined (defined: p)", assertThrows(IllegalArgumentException.class,
                () -> TcpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).pool("nope").build()).getMessage());
        assertEquals("connectTimeout: PT0S (expected: > 0)", assertThrows(IllegalArgumentException.class,
                () -> TcpProxy.builder().connectTimeout(Duration.ZERO)).getMessage());
        assertEquals("listen: '127.0.0.1' (expected: host:port)", assertThrows(IllegalArgumentException.class,
                () -> TcpProxy.builder().listen("127.0.0.1")).getMessage());
    }

    @Test
    void aPortInUseIsReportedWithTheAddress() throws Exception {
        TestServer echo = closeLater(TestServer.echo());
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> TcpProxy.builder()
                    .listen("127.0.0.1:" + taken.getLocalPort()).loadBalancer(lb(p -> p.backend(echo.hostPort())))
                    .pool("p").eventLoops(loops).build().start());
            assertTrue(e.getMessage().startsWith("cannot listen on /127.0.0.1:" + taken.getLocalPort()), e.getMessage());
        }
    }

    @Test
    void aProxyWithoutAGroupStartsAndStopsItsOwnThreads() throws Exception {
        TestServer echo = closeLater(TestServer.echo());
        TcpProxy proxy = TcpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb(p -> p.backend(echo.hostPort())))
                .pool("p").threads(2).name("own").build().start();
        try (Socket s = connect(proxy)) {
            assertEcho(s);
        }
        proxy.close();
        Await.until(Duration.ofSeconds(10), "own loop threads gone", () -> Thread.getAllStackTraces().keySet()
                .stream().noneMatch(t -> t.isAlive() && t.getName().startsWith("jlb-own")));
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
