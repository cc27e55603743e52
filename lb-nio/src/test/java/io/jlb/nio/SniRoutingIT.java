package io.jlb.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jlb.core.LoadBalancer;
import io.jlb.core.testing.TestServer;
import io.jlb.core.testing.TestTls;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TLS passthrough: the proxy routes on the ClientHello's server name and relays the handshake untouched. */
@Timeout(60)
class SniRoutingIT {
    private static TestTls apiCert;
    private static TestTls webCert;
    private static TestTls defaultCert;
    private static TestServer api;
    private static TestServer web;
    private static TestServer fallback;
    private static LoadBalancer lb;
    private static TcpProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        apiCert = TestTls.selfSigned("api.example.com");
        webCert = TestTls.selfSigned("www.example.com", "*.example.com");
        defaultCert = TestTls.selfSigned("default.test");
        api = TestServer.tlsEcho("api", apiCert.serverContext());
        web = TestServer.tlsEcho("web", webCert.serverContext());
        fallback = TestServer.tlsEcho("default", defaultCert.serverContext());
        lb = LoadBalancer.builder()
                .pool("api", p -> p.backend(api.hostPort()))
                .pool("web", p -> p.backend(web.hostPort()))
                .pool("default", p -> p.backend(fallback.hostPort()))
                .build();
        proxy = TcpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb)
                .sniRoute("api.example.com", "api")
                .sniRoute("*.example.com", "web")
                .pool("default")
                .threads(2)
                .build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        lb.close();
        api.close();
        web.close();
        fallback.close();
    }

    private static SSLSocket connect(String serverName, SSLContext trust) throws Exception {
        Socket raw = new Socket("127.0.0.1", proxy.address().getPort());
        SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket(raw, "127.0.0.1", proxy.address().getPort(), true);
        SSLParameters p = s.getSSLParameters();
        if (serverName != null) {
            p.setServerNames(List.of(new SNIHostName(serverName)));
        }
        s.setSSLParameters(p);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    private static String greeting(SSLSocket s) throws Exception {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    @Test
    void anExactNameGoesToItsPoolAndTheHandshakeCompletesEndToEnd() throws Exception {
        try (SSLSocket s = connect("api.example.com", apiCert.clientContext())) {
            assertEquals("CN=api.example.com", s.getSession().getPeerPrincipal().getName());
            assertEquals("api", greeting(s));
        }
    }

    @Test
    void aWildcardRouteCatchesOtherNamesOfTheDomain() throws Exception {
        try (SSLSocket s = connect("shop.example.com", webCert.clientContext())) {
            assertEquals("web", greeting(s));
        }
    }

    @Test
    void noServerNameOrAnUnmatchedOneGoesToTheDefaultPool() throws Exception {
        try (SSLSocket s = connect(null, defaultCert.clientContext())) {
            assertEquals("default", greeting(s));
        }
        try (SSLSocket s = connect("example.com", defaultCert.clientContext())) {
            assertEquals("default", greeting(s), "*.example.com does not match the bare domain");
        }
    }

    @Test
    void bulkDataOverTheTunnelArrivesIntact() throws Exception {
        try (SSLSocket s = connect("api.example.com", apiCert.clientContext())) {
            BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            assertEquals("api", r.readLine());
            byte[] payload = new byte[1 << 20];
            new Random(9).nextBytes(payload);
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(payload);
                    s.getOutputStream().flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            byte[] echoed = new byte[payload.length];
            for (int off = 0; off < echoed.length; off++) {
                int c = r.read();
                echoed[off] = (byte) c;
            }
            writer.join();
            assertArrayEquals(payload, echoed);
        }
    }

    @Test
    void aClientSendingGarbageInsteadOfAClientHelloIsSentToTheDefaultPoolUntouched() throws Exception {
        // Not TLS: there is no name to route on, so it goes where a connection without SNI goes; the default
        // backend (a TLS server) then fails its handshake and closes. Other connections are unaffected.
        try (Socket s = new Socket("127.0.0.1", proxy.address().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            s.getInputStream().readAllBytes();
        }
        try (SSLSocket s = connect("api.example.com", apiCert.clientContext())) {
            assertEquals("api", greeting(s));
        }
    }
}
