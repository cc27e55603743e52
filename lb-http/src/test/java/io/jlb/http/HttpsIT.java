package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.Backend;
import io.jlb.core.LoadBalancer;
import io.jlb.core.testing.TestServer;
import io.jlb.core.testing.TestTls;
import io.jlb.core.testing.Tools;
import io.jlb.nio.ClientTls;
import io.jlb.nio.ServerTls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS termination, SNI, mTLS and re-encryption through the running proxy, with certificates the test makes. */
@Timeout(120)
class HttpsIT {
    private static final byte[] DOWNLOAD = new byte[6 << 20];

    @TempDir
    static Path dir;
    private static TestTls site;
    private static TestTls other;
    private static TestTls clientCert;
    private static TestTls backendCert;
    private static TestTls expiredBackendCert;
    private static RawHttpBackend app;
    private static TestServer tlsBackend;
    private static TestServer expiredBackend;
    private static LoadBalancer lb;
    private static HttpProxy proxy;
    private static HttpProxy mtls;

    @BeforeAll
    static void start() throws Exception {
        new Random(11).nextBytes(DOWNLOAD);
        site = TestTls.make("site.test", 2, "EC", "www.site.test");
        other = TestTls.make("other.test", 2, "RSA");
        clientCert = TestTls.make("client-7", 2, "EC");
        backendCert = TestTls.make("backend.test", 2, "EC");
        TestTls issuingCa = TestTls.make("backend-ca", 30, "EC");
        expiredBackendCert = TestTls.signedBy(issuingCa, "backend.test", -5, "EC");
        app = new RawHttpBackend("app", (req, socket, out) -> {
            if (req.target().equals("/download")) {
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + DOWNLOAD.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(DOWNLOAD);
                out.flush();
            } else {
                String digest = HexFormat.of().formatHex(io.jlb.core.testing.TestServer.sha256().digest(req.body()));
                RawHttpBackend.respond(out, 200, digest + " proto=" + req.header("x-forwarded-proto") + " subject="
                        + req.header("x-client-cert-subject"));
            }
            return true;
        });
        tlsBackend = TestServer.startTls("tls-backend", backendCert.serverContext(), HttpsIT::answerHttp);
        expiredBackend = TestServer.startTls("expired-backend", expiredBackendCert.serverContext(), HttpsIT::answerHttp);
        lb = LoadBalancer.builder()
                .pool("app", p -> p.backend(app.hostPort()))
                .pool("secure", p -> p.backend(Backend.parse(tlsBackend.hostPort()).withName("secure-1")))
                .pool("expired", p -> p.backend(expiredBackend.hostPort()).outlierDetection(io.jlb.core.OutlierDetection.disabled()))
                .pool("untrusted", p -> p.backend(tlsBackend.hostPort()).outlierDetection(io.jlb.core.OutlierDetection.disabled()))
                .pool("misnamed", p -> p.backend(tlsBackend.hostPort()).outlierDetection(io.jlb.core.OutlierDetection.disabled()))
                .build();
        Path backendCa = backendCert.writeCertificatePem(dir.resolve("backend-ca.pem"));
        Path expiredCa = issuingCa.writeCertificatePem(dir.resolve("expired-ca.pem"));
        Path otherCa = other.writeCertificatePem(dir.resolve("other-ca.pem"));
        ServerTls tls = ServerTls.builder()
                .certificate(site.writeCertificatePem(dir.resolve("site.pem")), site.writePrivateKeyPem(dir.resolve("site.key")))
                .certificate(other.writeCertificatePem(dir.resolve("other.pem")), other.writePrivateKeyPem(dir.resolve("other.key")))
                .build();
        proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(2).tls(tls)
                .backendTls("secure", ClientTls.builder().trust(backendCa).build())
                .backendTls("expired", ClientTls.builder().trust(expiredCa).build())
                .backendTls("untrusted", ClientTls.builder().trust(otherCa).build())
                .backendTls("misnamed", ClientTls.builder().trust(backendCa).serverName("wrong.test").build())
                .routes(r -> r.pathPrefix("/sticky/").policies(p -> p.sticky(StickyCookie.named("JLB"))).to("app")
                        .pathPrefix("/secure/").to("secure").pathPrefix("/expired/").to("expired")
                        .pathPrefix("/untrusted/").to("untrusted").pathPrefix("/misnamed/").to("misnamed")
                        .defaultTo("app"))
                .build().start();
        ServerTls mutual = ServerTls.builder()
                .certificate(dir.resolve("site.pem"), dir.resolve("site.key"))
                .clientAuth(ServerTls.ClientAuth.REQUIRED, clientCert.writeCertificatePem(dir.resolve("client-ca.pem")))
                .build();
        mtls = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1).tls(mutual).pool("app")
                .handshakeExecutor(task -> {
                    HANDSHAKE_TASKS.incrementAndGet();
                    java.util.concurrent.ForkJoinPool.commonPool().execute(task);
                })
                .build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        mtls.close();
        lb.close();
        app.close();
        tlsBackend.close();
        expiredBackend.close();
    }

    /** A tiny HTTP/1.1 server over the TLS socket: one response per request, keep-alive. */
    private static void answerHttp(Socket socket, TestServer server) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        while (RawHttpBackend.readHead(in) != null) {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nsecure-ok\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    private static HttpClient client(SSLContext ctx) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ctx)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static URI uri(HttpProxy p, String path) {
        return URI.create("https://127.0.0.1:" + p.address().getPort() + path);
    }

    @Test
    void item9_aStickyCookieSetOverHttpsIsSecure() throws Exception {
        HttpResponse<String> r = client(site.clientContext(other)).send(HttpRequest.newBuilder(uri(proxy, "/sticky/x"))
                .build(), HttpResponse.BodyHandlers.ofString());
        String cookie = r.headers().firstValue("set-cookie").orElseThrow();
        assertTrue(cookie.contains("; Secure"), cookie);
    }

    @Test
    void item6_aClientCertificateSubjectFromTheClientNeverPassesAListenerWithoutMtls() throws Exception {
        HttpResponse<String> r = client(site.clientContext(other)).send(HttpRequest.newBuilder(uri(proxy, "/subject"))
                .header("X-Client-Cert-Subject", "CN=admin").build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.body().endsWith("subject=null"), r.body());
    }

    @Test
    void httpsRequestsReachTheBackendAsHttpWithTheirProtocolForwarded() throws Exception {
        HttpClient http = client(site.clientContext(other));
        long before = proxy.stats().connectionsAccepted();
        for (int i = 0; i < 50; i++) { // keep-alive over one TLS connection
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(proxy, "/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("proto=https"), r.body());
        }
        long opened = proxy.stats().connectionsAccepted() - before;
        assertTrue(opened <= 2, "keep-alive: " + opened + " connections for 50 requests");
    }

    @Test
    void largeUploadsAndDownloadsKeepTheirSha256() throws Exception {
        HttpClient http = client(site.clientContext(other));
        byte[] upload = new byte[5 << 20];
        new Random(5).nextBytes(upload);
        HttpResponse<String> up = http.send(HttpRequest.newBuilder(uri(proxy, "/upload"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload)), up.body().split(" ")[0]);
        HttpResponse<byte[]> down = http.send(HttpRequest.newBuilder(uri(proxy, "/download")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(DOWNLOAD),
                MessageDigest.getInstance("SHA-256").digest(down.body()));
    }

    @Test
    void sniPicksTheCertificateAndAlpnPrefersH2() throws Exception {
        assertEquals("CN=other.test", handshake("other.test").getSubjectX500Principal().getName());
        assertEquals("CN=site.test", handshake("www.site.test").getSubjectX500Principal().getName());
        assertEquals("CN=site.test", handshake(null).getSubjectX500Principal().getName());
        try (SSLSocket s = socket("site.test", new String[] {"h2", "http/1.1"})) {
            s.startHandshake();
            assertEquals("h2", s.getApplicationProtocol());
        }
        try (SSLSocket s = socket("site.test", new String[] {"http/1.1"})) {
            s.startHandshake();
            assertEquals("http/1.1", s.getApplicationProtocol());
        }
    }

    @Test
    void garbageInsteadOfAClientHelloIsClosedWithoutHarmingOthers() throws Exception {
        HttpClient http = client(site.clientContext(other));
        long before = proxy.stats().tlsFailures();
        for (int i = 0; i < 10; i++) {
            try (Socket raw = new Socket("127.0.0.1", proxy.address().getPort())) {
                raw.setSoTimeout(10_000);
                raw.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                try {
                    raw.getInputStream().readAllBytes(); // an alert at most, then the close
                } catch (IOException reset) {
                    // closed with a reset: also fine
                }
            }
            assertEquals(200, http.send(HttpRequest.newBuilder(uri(proxy, "/ok")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
        }
        assertTrue(proxy.stats().tlsFailures() >= before + 10);
    }

    /** Handshake tasks of the mutual-TLS listener, run by the executor it was given. */
    private static final java.util.concurrent.atomic.AtomicInteger HANDSHAKE_TASKS = new java.util.concurrent.atomic.AtomicInteger();

    @Test
    void clientCertificatesAreRequiredVerifiedAndTheirSubjectForwarded() throws Exception {
        SSLContext withCert = mutualContext(clientCert, site);
        try (SSLSocket s = (SSLSocket) withCert.getSocketFactory().createSocket("127.0.0.1", mtls.address().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /me HTTP/1.1\r\nHost: a\r\nX-Client-Cert-Subject: CN=admin\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.contains("subject=CN=client-7"), "the verified subject, not the one the client sent: "
                    + response);
        }
        assertTrue(HANDSHAKE_TASKS.get() > 0, "handshake tasks run on the executor given");
        SSLContext withoutCert = site.clientContext();
        assertThrows(IOException.class, () -> {
            try (SSLSocket s = (SSLSocket) withoutCert.getSocketFactory().createSocket("127.0.0.1", mtls.address().getPort())) {
                s.setSoTimeout(10_000);
                s.startHandshake();
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                if (s.getInputStream().read() < 0) {
                    throw new IOException("closed");
                }
            }
        });
    }

    @Test
    void backendsOverTlsAreVerifiedAndBadCertificatesAre502() throws Exception {
        HttpClient http = client(site.clientContext(other));
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(uri(proxy, "/secure/x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode());
        assertEquals("secure-ok\n", ok.body());
        for (String path : List.of("/expired/x", "/untrusted/x", "/misnamed/x")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(proxy, path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(502, r.statusCode(), path + ": " + r.body());
        }
    }

    @Test
    void curlAndOpensslSeeTheRightCertificate() throws Exception {
        Path curl = Tools.require("curl");
        Path openssl = Tools.require("openssl");
        Path ca = other.writeCertificatePem(dir.resolve("curl-ca.pem"));
        String port = Integer.toString(proxy.address().getPort());
        String out = run(curl.toString(), "-sS", "--cacert", ca.toString(), "--resolve", "other.test:" + port + ":127.0.0.1",
                "https://other.test:" + port + "/curl");
        assertTrue(out.contains("proto=https"), out);
        String sclient = run(openssl.toString(), "s_client", "-connect", "127.0.0.1:" + port, "-servername", "other.test",
                "-alpn", "http/1.1");
        assertTrue(sclient.contains("CN = other.test") || sclient.contains("CN=other.test"), sclient);
        assertTrue(sclient.contains("ALPN protocol: http/1.1"), sclient);
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static X509Certificate handshake(String serverName) throws Exception {
        try (SSLSocket s = socket(serverName, null)) {
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    private static SSLSocket socket(String serverName, String[] alpn) throws Exception {
        SSLSocket s = (SSLSocket) site.clientContext(other).getSocketFactory().createSocket("127.0.0.1",
                proxy.address().getPort());
        s.setSoTimeout(10_000);
        SSLParameters p = s.getSSLParameters();
        if (serverName != null) {
            p.setServerNames(List.of(new SNIHostName(serverName)));
        }
        if (alpn != null) {
            p.setApplicationProtocols(alpn);
        }
        s.setSSLParameters(p);
        return s;
    }

    private static SSLContext mutualContext(TestTls identity, TestTls trusted) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(identity.keyStore(), TestTls.PASSWORD.toCharArray());
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("site", trusted.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

}
