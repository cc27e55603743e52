package io.jlb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.Backend;
import io.jlb.core.BackendState;
import io.jlb.core.LoadBalancer;
import io.jlb.core.Member;
import io.jlb.core.Pool;
import io.jlb.core.testing.Await;
import io.jlb.core.testing.TestServer;
import io.jlb.nio.TcpProxy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's embedding examples, run so that they never rot. */
@Timeout(90)
class EmbeddingExamplesIT {
    @Test
    void clientSideBalancingSpreadsCallsAndRoutesAroundADeadBackend() throws Exception {
        try (NamedHttpBackend a = new NamedHttpBackend("a"); NamedHttpBackend b = new NamedHttpBackend("b");
                ClientSideBalancing client = new ClientSideBalancing(List.of(a.hostPort(), b.hostPort()))) {
            Set<String> answered = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                answered.add(client.get("/x").substring(0, 1));
            }
            assertEquals(Set.of("a", "b"), answered, "least connections ties go to either backend");
            b.close();
            Member dead = client.loadBalancer().pool("users").member(b.hostPort()).orElseThrow();
            Await.until(Duration.ofSeconds(30), "the dead backend is taken out", () -> {
                try {
                    client.get("/probe");
                } catch (IOException | InterruptedException expected) {
                    // a call to the dead backend fails and is reported
                }
                // the member's state changes just before the pool publishes the snapshot picks read: wait for both
                return !dead.eligible() && client.loadBalancer().pool("users").eligibleCount() == 1;
            });
            for (int i = 0; i < 10; i++) {
                assertEquals("a /after", client.get("/after"));
            }
        }
    }

    @Test
    void theProxyLivesInsideAnApplicationThatServesItsOwnEndpoints() throws Exception {
        try (NamedHttpBackend api = new NamedHttpBackend("api");
                EmbeddedHttpProxy app = new EmbeddedHttpProxy(List.of(api.hostPort()))) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + app.proxyAddress().getPort();
            assertEquals("api /api/orders", http.send(HttpRequest.newBuilder(URI.create(base + "/api/orders")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("hello from the application\n", http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        }
    }

    @Test
    void anL4ProxyInFrontOfALineProtocolDatabase() throws Exception {
        // A tiny "database": answers each line with its length.
        TestServer.Behaviour lineDb = (socket, server) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    out.write((":" + line.length() + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    line.setLength(0);
                } else {
                    line.append((char) c);
                }
            }
        };
        try (TestServer r1 = TestServer.start("db1", lineDb); TestServer r2 = TestServer.start("db2", lineDb);
                TcpInFrontOfADatabase db = new TcpInFrontOfADatabase(List.of(r1.hostPort(), r2.hostPort()))) {
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Socket s = new Socket();
                s.connect(db.address(), 5000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write("SET key value\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(":13\r\n", new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII));
                clients.add(s);
            }
            // The health checker's probe connections come and go beside them: wait until none is open.
            Await.until(Duration.ofSeconds(10), "least connections spreads the open connections 2 and 2",
                    () -> r1.openConnections() == 2 && r2.openConnections() == 2);
            for (Socket s : clients) {
                s.close();
            }
        }
    }

    @Test
    void aPoolChangesUnderLiveTrafficWithoutDroppingAConnection() throws Exception {
        try (TestServer old = TestServer.echo(); TestServer other = TestServer.echo(); TestServer replacement = TestServer.echo();
                LoadBalancer lb = LoadBalancer.builder().pool("svc", p -> p.backends(old.hostPort(), other.hostPort())
                        .selector("round-robin")).build();
                TcpProxy proxy = TcpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).pool("svc").threads(2)
                        .build().start()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong roundTrips = new AtomicLong();
            List<Thread> talkers = new ArrayList<>();
            List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < 4; t++) {
                Socket s = new Socket();
                s.connect(proxy.address(), 5000);
                s.setSoTimeout(10_000);
                sockets.add(s);
                Thread th = new Thread(() -> {
                    try {
                        byte[] msg = "0123456789".getBytes(StandardCharsets.US_ASCII);
                        while (!stop.get()) {
                            s.getOutputStream().write(msg);
                            byte[] back = s.getInputStream().readNBytes(msg.length);
                            if (!java.util.Arrays.equals(msg, back)) {
                                throw new IOException("corrupted echo");
                            }
                            roundTrips.incrementAndGet();
                        }
                    } catch (IOException e) {
                        if (!stop.get()) {
                            errors.add(e);
                        }
                    }
                });
                th.start();
                talkers.add(th);
            }
            Await.until(Duration.ofSeconds(10), "traffic flows", () -> roundTrips.get() > 1000);
            Pool pool = lb.pool("svc");
            CompletableFuture<Void> replaced = RuntimePoolChanges.replace(pool, old.hostPort(),
                    Backend.parse(replacement.hostPort()));
            int oldAccepted = old.accepted();
            long before = roundTrips.get();
            Await.until(Duration.ofSeconds(10), "traffic goes on", () -> roundTrips.get() > before + 1000);
            assertEquals(BackendState.DRAINING, pool.member(old.hostPort()).orElseThrow().state());
            // Each of the proxy's two loops walks its own round-robin rotation over {other, replacement}, so of 8 new
            // connections, however the kernel spreads them over the loops, at least 3 go to the replacement.
            for (int i = 0; i < 8; i++) {
                try (Socket s = new Socket()) {
                    s.connect(proxy.address(), 5000);
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write('x');
                    assertEquals('x', s.getInputStream().read());
                }
            }
            assertEquals(oldAccepted, old.accepted(), "no new connection to the draining backend");
            assertTrue(replacement.accepted() >= 3, "new connections reach the replacement: " + replacement.accepted());
            stop.set(true);
            for (Thread th : talkers) {
                th.join(10_000);
            }
            for (Socket s : sockets) {
                s.close();
            }
            replaced.get(10, TimeUnit.SECONDS);
            assertTrue(pool.member(old.hostPort()).isEmpty(), "removed once idle");
            assertTrue(errors.isEmpty(), "no connection was dropped: " + errors);
        }
    }
}
