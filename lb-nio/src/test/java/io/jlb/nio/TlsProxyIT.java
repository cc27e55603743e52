package io.jlb.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import io.jlb.core.testing.TestServer;
import io.jlb.core.testing.TestTls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** TLS terminated by the L4 proxy: real TLS clients, plaintext backends, bytes checked by SHA-256. */
@Timeout(120)
class TlsProxyIT {
    @TempDir
    Path dir;
    private static TestTls alpha;
    private static TestTls beta;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeAll
    static void certificates() throws Exception {
        alpha = TestTls.make("alpha.test", 2, "EC", "www.alpha.test");
        beta = TestTls.make("beta.test", 2, "RSA", "*.beta.test");
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private <T extends AutoCloseable> T later(T resource) {
        cleanup.add(resource);
        return resource;
    }

    private ServerTls serverTls() throws Exception {
        return ServerTls.builder()
                .certificate(alpha.writeCertificatePem(dir.resolve("alpha.pem")), alpha.writePrivateKeyPem(dir.resolve("alpha.key")))
                .certificate(beta.writeCertificatePem(dir.resolve("beta.pem")), beta.writePrivateKeyPem(dir.resolve("beta.key")))
                .build();
    }

    private TcpProxy proxy(ServerTls tls, TestServer backend) {
        LoadBalancer lb = later(LoadBalancer.builder().pool("p", p -> p.backend(backend.hostPort())).build());
        return later(TcpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).pool("p").threads(2).tls(tls)
                .build().start());
    }

    private SSLSocket connect(TcpProxy proxy, String serverName) throws Exception {
        SSLContext ctx = alpha.clientContext(beta);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", proxy.address().getPort());
        SSLParameters p = s.getSSLParameters();
        if (serverName != null) {
            p.setServerNames(List.of(new SNIHostName(serverName)));
        }
        s.setSSLParameters(p);
        s.setSoTimeout(30_000);
        s.startHandshake();
        return s;
    }

    @Test
    void largeUploadsAndDownloadsKeepTheirSha256() throws Exception {
        TcpProxy up = proxy(serverTls(), later(TestServer.digest()));
        byte[] data = new byte[8 << 20];
        new Random(3).nextBytes(data);
        try (SSLSocket s = connect(up, "alpha.test")) {
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < data.length; i += 100_000) {
                out.write(data, i, Math.min(100_000, data.length - i));
            }
            out.flush();
            s.shutdownOutput(); // close_notify; the answer still comes back (TLS 1.3 half-close)
            byte[] digest = s.getInputStream().readAllBytes();
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), digest);
        }
        long bytes = 12 << 20;
        TcpProxy down = proxy(serverTls(), later(TestServer.source(bytes)));
        try (SSLSocket s = connect(down, null)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                sha.update(buf, 0, n);
                total += n;
            }
            assertEquals(bytes, total);
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(TestServer.sourceBytes(bytes)), sha.digest());
        }
    }

    @Test
    void theCertificateIsChosenByTheRequestedName() throws Exception {
        TcpProxy proxy = proxy(serverTls(), later(TestServer.echo()));
        assertEquals("CN=beta.test", subject(proxy, "beta.test"));
        assertEquals("CN=beta.test", subject(proxy, "api.beta.test"), "a wildcard covers one label");
        assertEquals("CN=alpha.test", subject(proxy, "www.alpha.test"));
        assertEquals("CN=alpha.test", subject(proxy, "unknown.test"), "an unknown name gets the default");
        assertEquals("CN=alpha.test", subject(proxy, null), "so does a client without SNI");
    }

    @Test
    void garbageInsteadOfAClientHelloIsClosedAndOthersCarryOn() throws Exception {
        TcpProxy proxy = proxy(serverTls(), later(TestServer.echo()));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> good = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                good.add(pool.submit(() -> {
                    for (int k = 0; k < 20; k++) {
                        try (SSLSocket s = connect(proxy, "alpha.test")) {
                            s.getOutputStream().write(("ping " + k).getBytes());
                            byte[] back = s.getInputStream().readNBytes(("ping " + k).length());
                            assertEquals("ping " + k, new String(back));
                        }
                    }
                    return null;
                }));
            }
            for (int i = 0; i < 20; i++) {
                try (Socket raw = new Socket("127.0.0.1", proxy.address().getPort())) {
                    raw.setSoTimeout(10_000);
                    raw.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
                    int first;
                    try {
                        first = raw.getInputStream().read();
                        while (first >= 0 && first != -1) { // a TLS alert may come first
                            first = raw.getInputStream().read();
                        }
                    } catch (IOException reset) {
                        first = -1;
                    }
                    assertEquals(-1, first, "closed");
                }
            }
            for (Future<?> f : good) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reloadedCertificatesServeNewHandshakesWithoutARestart() throws Exception {
        Path certFile = alpha.writeCertificatePem(dir.resolve("live.pem"));
        Path keyFile = alpha.writePrivateKeyPem(dir.resolve("live.key"));
        ServerTls tls = later(ServerTls.builder().certificate(certFile, keyFile).build());
        TcpProxy proxy = proxy(tls, later(TestServer.echo()));
        assertEquals("CN=alpha.test", subject(proxy, "x.test"));
        TestTls rotated = TestTls.make("rotated.test", 2, "EC");
        rotated.writeCertificatePem(certFile);
        Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        assertThrows(java.io.UncheckedIOException.class, tls::reload, "a broken key is refused...");
        assertEquals("CN=alpha.test", subject(proxy, "x.test"), "...and the old certificate stays");
        rotated.writePrivateKeyPem(keyFile);
        tls.reload();
        try (SSLSocket s = (SSLSocket) rotated.clientContext().getSocketFactory()
                .createSocket("127.0.0.1", proxy.address().getPort())) {
            s.startHandshake();
            assertEquals("CN=rotated.test",
                    ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName());
        }
    }

    @Test
    void mistakesInCertificatesAreNamed() throws Exception {
        Path cert = alpha.writeCertificatePem(dir.resolve("a.pem"));
        Path otherKey = beta.writePrivateKeyPem(dir.resolve("b.key"));
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                () -> ServerTls.builder().certificate(cert, otherKey).build());
        assertTrue(e.getMessage().contains("does not belong to the certificate"), e.getMessage());
        Path pkcs1 = Files.writeString(dir.resolve("old.key"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        e = assertThrows(java.io.UncheckedIOException.class, () -> ServerTls.builder().certificate(cert, pkcs1).build());
        assertTrue(e.getMessage().contains("openssl pkcs8 -topk8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServerTls.builder().protocols("TLSv1.1"));
        ServerTls p12 = ServerTls.builder().pkcs12(beta.keystoreFile(), TestTls.PASSWORD.toCharArray()).build();
        assertEquals(List.of(List.of("beta.test", "*.beta.test")), p12.certificateNames());
    }

    private String subject(TcpProxy proxy, String serverName) throws Exception {
        try (SSLSocket s = connect(proxy, serverName)) {
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }
}
