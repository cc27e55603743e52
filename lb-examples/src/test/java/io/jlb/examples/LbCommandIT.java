package io.jlb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.testing.Await;
import io.jlb.core.testing.TestDnsServer;
import io.jlb.core.testing.TestServer;
import io.jlb.core.testing.Tools;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The lb command as users drive it: a child JVM from target/lb.jar, real clients, SIGTERM at the end. */
@Timeout(120)
class LbCommandIT {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private String get(InetSocketAddress at, String path, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + path))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void runServesEveryListenerOfAConfigFileAndStopsCleanly(@TempDir Path dir) throws Exception {
        try (NamedHttpBackend api = new NamedHttpBackend("api");
                NamedHttpBackend canary = new NamedHttpBackend("canary");
                NamedHttpBackend web = new NamedHttpBackend("web");
                TestServer echo = TestServer.echo();
                DatagramSocket udpBackend = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread udpEcho = new Thread(() -> {
                byte[] buf = new byte[1500];
                while (!udpBackend.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        udpBackend.receive(p);
                        udpBackend.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            udpEcho.setDaemon(true);
            udpEcho.start();
            Path config = dir.resolve("lb.yaml");
            Files.writeString(config, """
                    threads: 1
                    pools:
                      api:
                        backends: [%s]
                        health: {type: http, path: /health, interval: 200ms}
                      canary:
                        backends: [%s]
                      web:
                        algorithm: round-robin
                        backends: [%s]
                      echo:
                        backends: [%s]
                        health: {type: tcp, interval: 200ms}
                      udp:
                        backends: [127.0.0.1:%d]
                    listeners:
                      - name: web
                        protocol: http
                        listen: 127.0.0.1:0
                        routes:
                          - match: {path: /api/*}
                            to: api
                            strip: /api
                          - match: {header: "X-Canary: true"}
                            to: canary
                          - to: web
                      - name: echo
                        protocol: tcp
                        listen: 127.0.0.1:0
                        pool: echo
                      - name: dns
                        protocol: udp
                        listen: 127.0.0.1:0
                        pool: udp
                    """.formatted(api.hostPort(), canary.hostPort(), web.hostPort(), echo.hostPort(), udpBackend.getLocalPort()));
            try (LbProcess lb = new LbProcess("run", config.toString())) {
                lb.awaitListening("web", "echo", "dns");
                InetSocketAddress web7 = lb.listeners.get("web");
                assertEquals("api /users/7", get(web7, "/api/users/7"));
                assertEquals("canary /x", get(web7, "/x", "X-Canary", "true"));
                assertEquals("web /", get(web7, "/"));
                try (Socket s = new Socket()) {
                    s.connect(lb.listeners.get("echo"), 5000);
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                    assertEquals("ping\n", new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
                }
                try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                    client.setSoTimeout(5000);
                    byte[] q = "query".getBytes(StandardCharsets.US_ASCII);
                    client.send(new DatagramPacket(q, q.length, lb.listeners.get("dns")));
                    DatagramPacket reply = new DatagramPacket(new byte[100], 100);
                    client.receive(reply);
                    assertEquals("query", new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII));
                }
                Await.until(Duration.ofSeconds(10), "a health change was logged",
                        () -> lb.output.stream().anyMatch(l -> l.contains("pool echo: backend " + echo.hostPort() + " is up")));
                assertEquals(0, lb.stop(), "SIGTERM drains and exits 0:\n" + String.join("\n", lb.output));
                Await.value(Duration.ofSeconds(5), "the last line is read", () -> String.join("\n", lb.output),
                        out -> out.contains("lb: stopped"));
            }
        }
    }

    @Test
    void tcpForwardsToTheGivenBackendsWithProductionDefaults() throws Exception {
        try (TestServer one = TestServer.echo(); TestServer two = TestServer.echo();
                LbProcess lb = new LbProcess("tcp", "--listen", "127.0.0.1:0", "--backend", one.hostPort(),
                        "--backend", two.hostPort() + ",weight=2", "--algorithm", "weighted", "--threads", "1")) {
            lb.awaitListening("tcp");
            for (int i = 0; i < 6; i++) {
                try (Socket s = new Socket()) {
                    s.connect(lb.listeners.get("tcp"), 5000);
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(("hello " + i).getBytes(StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                    assertEquals("hello " + i, new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
                }
            }
            Await.until(Duration.ofSeconds(5), "weights honoured", () -> one.accepted() == 2 && two.accepted() == 4);
            assertEquals(0, lb.stop());
        }
    }

    @Test
    void aPortInUseIsReportedAndExitsOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                LbProcess lb = new LbProcess("http", "--listen", "127.0.0.1:" + taken.getLocalPort(), "--backend", "127.0.0.1:1")) {
            assertEquals(1, lb.awaitExit());
            assertTrue(lb.output.stream().anyMatch(l -> l.startsWith("lb http: listener 'http': cannot listen on")),
                    String.join("\n", lb.output));
        }
    }

    @Test
    void redisBenchmarkRunsThroughTheTcpProxy() throws Exception {
        Path redisServer = Tools.require("redis-server");
        Path benchmark = Tools.require("redis-benchmark");
        int redisPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            redisPort = s.getLocalPort();
        }
        Process redis = new ProcessBuilder(redisServer.toString(), "--port", Integer.toString(redisPort), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (LbProcess lb = new LbProcess("tcp", "--listen", "127.0.0.1:0", "--backend", "127.0.0.1:" + redisPort,
                "--health", "tcp,interval=200ms")) {
            lb.awaitListening("tcp");
            Await.until(Duration.ofSeconds(10), "redis up", () -> lb.output.stream().anyMatch(l -> l.contains("is up")));
            Process bench = new ProcessBuilder(benchmark.toString(), "-h", "127.0.0.1", "-p",
                    Integer.toString(lb.listeners.get("tcp").getPort()), "-n", "20000", "-c", "50", "-t", "ping,set,get", "-q")
                    .redirectErrorStream(true).start();
            String out = new String(bench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(bench.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, bench.exitValue(), out);
            List<String> lines = new ArrayList<>();
            for (String line : out.split("[\r\n]")) {
                if (line.contains("requests per second")) {
                    lines.add(line.trim());
                }
            }
            assertEquals(4, lines.size(), "PING_INLINE, PING_MBULK, SET, GET:\n" + out);
            assertTrue(out.contains("SET:") && out.contains("GET:"), out);
            assertEquals(0, lb.stop());
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void curlThroughTheHttpCommand() throws Exception {
        Path curl = Tools.require("curl");
        try (NamedHttpBackend backend = new NamedHttpBackend("curled");
                LbProcess lb = new LbProcess("http", "--listen", "127.0.0.1:0", "--backend", backend.hostPort())) {
            lb.awaitListening("http");
            Process p = new ProcessBuilder(curl.toString(), "-sS", "-i", "http://127.0.0.1:" + lb.listeners.get("http").getPort()
                    + "/hello").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertTrue(out.startsWith("HTTP/1.1 200"), out);
            assertTrue(out.toLowerCase().contains("via: 1.1 jlb"), out);
            assertTrue(out.endsWith("curled /hello"), out);
            assertEquals(0, lb.stop());
        }
    }

    @Test
    void theAdminListenerAndTheAccessLogFromTheCommandLine() throws Exception {
        try (NamedHttpBackend backend = new NamedHttpBackend("watched");
                LbProcess lb = new LbProcess("http", "--listen", "127.0.0.1:0", "--backend", backend.hostPort() + ",name=web-1",
                        "--admin", "127.0.0.1:0", "--admin-token", "t0ken", "--access-log")) {
            lb.awaitListening("http", "admin");
            HttpClient client = HttpClient.newHttpClient();
            URI front = URI.create("http://127.0.0.1:" + lb.listeners.get("http").getPort() + "/logged?x=1");
            assertEquals(200, client.send(HttpRequest.newBuilder(front).header("X-Request-Id", "cli-1").build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            String admin = "http://127.0.0.1:" + lb.listeners.get("admin").getPort();
            HttpResponse<String> unauthorized = client.send(HttpRequest.newBuilder(
                    URI.create(admin + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, unauthorized.statusCode());
            HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(
                    URI.create(admin + "/metrics")).header("Authorization", "Bearer t0ken").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(metrics.body().contains("jlb_backend_selected_total{pool=\"default\",backend=\"web-1\"} 1"),
                    metrics.body());
            HttpResponse<String> drained = client.send(HttpRequest.newBuilder(
                    URI.create(admin + "/admin/pools/default/backends/web-1/drain"))
                    .header("Authorization", "Bearer t0ken").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, drained.statusCode(), drained.body());
            assertTrue(drained.body().contains("\"state\":\"draining\""), drained.body());
            Await.until(Duration.ofSeconds(10), "the access-log line", () -> lb.output.stream().anyMatch(l ->
                    l.contains("\"GET /logged?x=1 HTTP/1.1\" 200 ") && l.contains(" request_id=cli-1 outcome=ok")));
            Await.until(Duration.ofSeconds(10), "the state change is logged",
                    () -> lb.output.stream().anyMatch(l -> l.contains("web-1") && l.contains("draining")));
            assertEquals(0, lb.stop());
        }
    }

    @Test
    void discoveryFollowsSrvRecordsFromANameServer() throws Exception {
        try (TestDnsServer dns = new TestDnsServer();
                NamedHttpBackend first = new NamedHttpBackend("first");
                NamedHttpBackend second = new NamedHttpBackend("second")) {
            int firstPort = Integer.parseInt(first.hostPort().substring(first.hostPort().lastIndexOf(':') + 1));
            int secondPort = Integer.parseInt(second.hostPort().substring(second.hostPort().lastIndexOf(':') + 1));
            dns.addresses("node.test", "127.0.0.1");
            dns.services("_web._tcp.test", "1 1 " + firstPort + " node.test");
            try (LbProcess lb = new LbProcess("http", "--listen", "127.0.0.1:0", "--discover",
                    "srv:_web._tcp.test,server=" + dns.hostPort() + ",interval=200ms")) {
                lb.awaitListening("http");
                HttpClient client = HttpClient.newHttpClient();
                URI front = URI.create("http://127.0.0.1:" + lb.listeners.get("http").getPort() + "/where");
                assertEquals("first /where", client.send(HttpRequest.newBuilder(front).build(),
                        HttpResponse.BodyHandlers.ofString()).body(), "members resolved before traffic");
                dns.services("_web._tcp.test", "1 1 " + secondPort + " node.test");
                Await.until(Duration.ofSeconds(20), "traffic follows the new record", () -> {
                    try {
                        return client.send(HttpRequest.newBuilder(front).build(), HttpResponse.BodyHandlers.ofString())
                                .body().equals("second /where");
                    } catch (IOException | InterruptedException e) {
                        throw new AssertionError(e);
                    }
                });
                Await.until(Duration.ofSeconds(20), "the old member is drained and removed",
                        () -> lb.output.stream().anyMatch(l -> l.contains("127.0.0.1:" + firstPort) && l.contains("removed")));
                assertEquals(0, lb.stop());
            }
        }
    }

    @Test
    void policiesFromTheCommandLine(@TempDir Path dir) throws Exception {
        Path keys = Files.writeString(dir.resolve("keys.txt"), "# holder key\nci-client  ci-key-0123456789\n");
        try (NamedHttpBackend backend = new NamedHttpBackend("policed");
                LbProcess lb = new LbProcess("http", "--listen", "127.0.0.1:0", "--backend", backend.hostPort(),
                        "--request-id", "--security-headers", "--csp", "default-src 'self'", "--compress",
                        "--sticky-cookie", "JLB,max-age=1h", "--rate-limit", "1/m,burst=4",
                        "--request-header", "set X-Env: prod", "--response-header", "set Server: jlb",
                        "--auth", "api-key,file=" + keys + ",forward-as=X-Consumer", "--retries", "2,on=502+503")) {
            lb.awaitListening("http");
            HttpClient client = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + lb.listeners.get("http").getPort() + "/p");
            HttpResponse<String> refused = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, refused.statusCode());
            HttpResponse<String> ok = client.send(HttpRequest.newBuilder(uri).header("X-API-Key", "ci-key-0123456789").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode(), ok.body());
            assertTrue(ok.headers().firstValue("x-request-id").orElse("").matches("[0-9a-f]{32}"));
            assertEquals("nosniff", ok.headers().firstValue("x-content-type-options").orElse(null));
            assertEquals("default-src 'self'", ok.headers().firstValue("content-security-policy").orElse(null));
            assertEquals("jlb", ok.headers().firstValue("server").orElse(null));
            assertTrue(ok.headers().firstValue("set-cookie").orElse("").startsWith("JLB="));
            int limited = 0;
            for (int i = 0; i < 4; i++) {
                limited += client.send(HttpRequest.newBuilder(uri).header("X-API-Key", "ci-key-0123456789").build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 429 ? 1 : 0;
            }
            assertTrue(limited >= 1, "a burst of 4, then one a minute: " + limited + " refused");
            assertEquals(0, lb.stop());
        }
    }

    @Test
    void httpsAndTlsTerminationFromTheCommandLineWithReloadThroughTheAdminApi(@TempDir Path dir) throws Exception {
        io.jlb.core.testing.TestTls first = io.jlb.core.testing.TestTls.make("first.test", 2, "EC");
        Path cert = first.writeCertificatePem(dir.resolve("site.pem"));
        Path key = first.writePrivateKeyPem(dir.resolve("site.key"));
        try (NamedHttpBackend backend = new NamedHttpBackend("behind-tls");
                TestServer echo = TestServer.echo();
                LbProcess https = new LbProcess("http", "--listen", "127.0.0.1:0", "--backend", backend.hostPort(),
                        "--tls", "cert=" + cert + ",key=" + key, "--admin", "127.0.0.1:0");
                LbProcess tls = new LbProcess("tcp", "--listen", "127.0.0.1:0", "--backend", echo.hostPort(),
                        "--tls", "cert=" + cert + ",key=" + key, "--tls-protocols", "TLSv1.3")) {
            https.awaitListening("http", "admin");
            tls.awaitListening("tcp");
            HttpClient client = HttpClient.newBuilder().sslContext(first.clientContext()).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                    + https.listeners.get("http").getPort() + "/secure")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("behind-tls /secure", r.body());
            try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) first.clientContext().getSocketFactory()
                    .createSocket("127.0.0.1", tls.listeners.get("tcp").getPort())) {
                s.getOutputStream().write("over tls".getBytes(StandardCharsets.US_ASCII));
                assertEquals("over tls", new String(s.getInputStream().readNBytes(8), StandardCharsets.US_ASCII));
                assertEquals("TLSv1.3", s.getSession().getProtocol());
            }
            io.jlb.core.testing.TestTls second = io.jlb.core.testing.TestTls.make("second.test", 2, "EC");
            second.writeCertificatePem(cert);
            second.writePrivateKeyPem(key);
            HttpResponse<String> reloaded = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + https.listeners.get("admin").getPort() + "/admin/tls/reload"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, reloaded.statusCode(), reloaded.body());
            assertTrue(reloaded.body().contains("second.test"), reloaded.body());
            HttpClient trustsSecond = HttpClient.newBuilder().sslContext(second.clientContext()).build();
            assertEquals(200, trustsSecond.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                    + https.listeners.get("http").getPort() + "/again")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode(), "new handshakes get the new certificate");
            assertEquals(0, https.stop());
            assertEquals(0, tls.stop());
        }
    }

    @Test
    void anotherTlsProviderFromItsJar(@TempDir Path dir) throws Exception {
        io.jlb.core.testing.TestTls site = io.jlb.core.testing.TestTls.make("provider.test", 2, "EC");
        Path cert = site.writeCertificatePem(dir.resolve("site.pem"));
        Path key = site.writePrivateKeyPem(dir.resolve("site.key"));
        String jar = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(p -> p.contains("conscrypt-openjdk-uber")).findFirst().orElseThrow();
        try (NamedHttpBackend backend = new NamedHttpBackend("behind-conscrypt");
                LbProcess lb = new LbProcess("http", "--listen", "127.0.0.1:0", "--backend", backend.hostPort(),
                        "--tls", "cert=" + cert + ",key=" + key, "--tls-provider", "conscrypt,jar=" + jar)) {
            lb.awaitListening("http");
            HttpClient client = HttpClient.newBuilder().sslContext(site.clientContext()).build();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                        + lb.listeners.get("http").getPort() + "/via-conscrypt")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("behind-conscrypt /via-conscrypt", r.body());
            }
            assertEquals(0, lb.stop());
        }
        try (LbProcess wrong = new LbProcess("http", "--listen", "127.0.0.1:0", "--backend", "127.0.0.1:1",
                "--tls", "cert=" + cert + ",key=" + key, "--tls-provider", "openssl")) {
            assertEquals(2, wrong.awaitExit());
            assertTrue(wrong.output.stream().anyMatch(l -> l.contains("--tls-provider name: 'openssl' (expected: jdk, "
                    + "conscrypt or accp)")), String.join("\n", wrong.output));
        }
        try (LbProcess missing = new LbProcess("http", "--listen", "127.0.0.1:0", "--backend", "127.0.0.1:1",
                "--tls", "cert=" + cert + ",key=" + key, "--tls-provider", "accp")) {
            assertEquals(2, missing.awaitExit());
            assertTrue(missing.output.stream().anyMatch(l -> l.contains("its jar is not on the class path")),
                    String.join("\n", missing.output));
        }
    }
}
