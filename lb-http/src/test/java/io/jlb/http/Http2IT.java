package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import io.jlb.core.testing.Await;
import io.jlb.core.testing.TestTls;
import io.jlb.http.internal.h2.Frames;
import io.jlb.nio.ServerTls;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HTTP/2 toward clients, end to end: the JDK's client over TLS, and frames written by hand over cleartext. */
@Timeout(120)
class Http2IT {
    static final byte[] BIG = new byte[3 << 20];

    @TempDir
    static Path dir;
    static TestTls site;
    static RawHttpBackend app;
    static LoadBalancer lb;
    static HttpProxy tls;
    static HttpProxy clear;
    static HttpProxy off;

    @BeforeAll
    static void start() throws Exception {
        new Random(3).nextBytes(BIG);
        site = TestTls.make("site.test", 2, "EC", "localhost");
        app = new RawHttpBackend("app", (req, socket, out) -> {
            if (req.target().equals("/big")) {
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + BIG.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(BIG);
                out.flush();
                return true;
            }
            if (req.target().equals("/trailers")) {
                out.write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-checksum\r\n\r\n"
                        + "5\r\nhello\r\n0\r\nx-checksum: 42\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return true;
            }
            String digest = HexFormat.of().formatHex(io.jlb.core.testing.TestServer.sha256().digest(req.body()));
            RawHttpBackend.respond(out, 200, req.method() + " " + req.target() + " host=" + req.header("host")
                    + " te=" + req.header("transfer-encoding") + " cl=" + req.header("content-length")
                    + " upgrade=" + req.header("upgrade") + " xff=" + req.header("x-forwarded-for")
                    + " cookie=" + req.header("cookie") + " sha=" + digest, "X-Answer: yes");
            return true;
        });
        lb = LoadBalancer.builder().pool("app", p -> p.backend(app.hostPort())).build();
        ServerTls serverTls = ServerTls.builder()
                .certificate(site.writeCertificatePem(dir.resolve("site.pem")), site.writePrivateKeyPem(dir.resolve("site.key")))
                .build();
        tls = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(2).tls(serverTls).pool("app")
                .build().start();
        clear = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1).pool("app")
                .http2(Http2Settings.defaults().withMaxGlitches(50)).build().start();
        off = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1).pool("app")
                .http2(Http2Settings.disabled()).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        tls.close();
        clear.close();
        off.close();
        lb.close();
        app.close();
    }

    static HttpClient tlsClient() throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(site.clientContext(site))
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    static URI uri(HttpProxy p, String path) {
        return URI.create("https://localhost:" + p.address().getPort() + path);
    }

    @Test
    void theJdkClientSpeaksH2OverTlsAndTheBackendGetsHttp11() throws Exception {
        HttpClient http = tlsClient();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(tls, "/hello?q=1"))
                .header("cookie", "a=1").header("Cookie", "b=2").header("X-Forwarded-For", "6.6.6.6").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertEquals(200, r.statusCode());
        assertEquals("yes", r.headers().firstValue("x-answer").orElseThrow());
        assertTrue(r.body().startsWith("GET /hello?q=1 host=localhost:" + tls.address().getPort() + " te=null cl=null"),
                r.body());
        assertTrue(r.body().contains(" xff=127.0.0.1 "), "the client's X-Forwarded-For is replaced: " + r.body());
        assertTrue(r.body().contains("cookie=a=1; b=2"), r.body());
        assertTrue(r.headers().firstValue("connection").isEmpty());
    }

    @Test
    void uploadsOfKnownAndUnknownLengthArriveWhole() throws Exception {
        HttpClient http = tlsClient();
        byte[] upload = new byte[1 << 20];
        new Random(8).nextBytes(upload);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(upload));
        HttpResponse<String> known = http.send(HttpRequest.newBuilder(uri(tls, "/up"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(known.body().contains("cl=" + upload.length) && known.body().endsWith("sha=" + sha), known.body());
        HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(uri(tls, "/up"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(upload))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(chunked.body().contains("te=chunked cl=null") && chunked.body().endsWith("sha=" + sha),
                chunked.body());
    }

    @Test
    void manyConcurrentStreamsShareOneConnection() throws Exception {
        HttpClient http = tlsClient();
        long before = tls.stats().http2Connections();
        http.send(HttpRequest.newBuilder(uri(tls, "/warm")).build(), HttpResponse.BodyHandlers.ofString());
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) { // within the 128 streams announced (the JDK's client fails those beyond)
            all.add(http.sendAsync(HttpRequest.newBuilder(uri(tls, "/n/" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < all.size(); i++) {
            HttpResponse<String> r = all.get(i).join();
            assertEquals(200, r.statusCode());
            assertTrue(r.body().startsWith("GET /n/" + i + " "), r.body());
        }
        HttpResponse<byte[]> big = http.send(HttpRequest.newBuilder(uri(tls, "/big")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(BIG, big.body());
        assertEquals(1, tls.stats().http2Connections() - before);
    }

    @Test
    void aSlowReaderStallsOnlyItsOwnStream() throws Exception {
        try (H2TestClient c = new H2TestClient(clear.address().getPort())) {
            c.windowUpdate(0, 64 << 20); // the connection may carry plenty; stream 1 only its first 64 KiB
            c.get(1, "/big"); // 3 MiB; the client grants only the default 64 KiB window and never more
            c.get(3, "/small");
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            Map<String, String> small = c.response(3, body);
            assertEquals("200", small.get(":status"));
            assertTrue(body.toString(StandardCharsets.UTF_8).startsWith("GET /small "), body.toString());
        }
    }

    @Test
    void responseTrailersAreCarried() throws Exception {
        try (H2TestClient c = new H2TestClient(clear.address().getPort())) {
            c.get(1, "/trailers");
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            Map<String, String> r = c.response(1, body);
            assertEquals("hello", body.toString(StandardCharsets.US_ASCII));
            assertEquals("42", r.get("x-checksum"), r.toString());
        }
    }

    @Test
    void oneCleartextPortServesBothProtocolsAndH2cUpgradesAreIgnored() throws Exception {
        try (Socket s = new Socket("127.0.0.1", clear.address().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /plain HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String response = readSome(s.getInputStream());
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.contains("upgrade=null"), response);
        }
        try (H2TestClient c = new H2TestClient(clear.address().getPort())) {
            c.get(1, "/h2");
            assertEquals("200", c.response(1, null).get(":status"));
        }
    }

    @Test
    void withHttp2OffThePrefaceIsABadRequestAndAlpnOffersHttp11() throws Exception {
        try (H2TestClient c = new H2TestClient(off.address().getPort())) {
            String answer = readSome(c.socket().getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 400") || answer.startsWith("HTTP/1.1 505"), answer);
        }
        try (SSLSocket s = (SSLSocket) site.clientContext(site).getSocketFactory()
                .createSocket("127.0.0.1", tls.address().getPort())) {
            SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            s.setSSLParameters(p);
            s.startHandshake();
            assertEquals("h2", s.getApplicationProtocol());
        }
    }

    @Test
    void malformedRequestsAreResetAndTheConnectionGoesOn() throws Exception {
        String[][] bad = {
            {"X-Upper", "1"}, {"connection", "keep-alive"}, {"transfer-encoding", "chunked"}, {"te", "gzip"},
            {"upgrade", "websocket"}, {"x-a", "line\r\nbreak"}, {"x-a", " padded"}, {"keep-alive", "5"},
            {"proxy-connection", "x"}, {":unknown", "x"},
        };
        try (H2TestClient c = new H2TestClient(clear.address().getPort())) {
            int stream = 1;
            for (String[] field : bad) {
                c.get(stream, "/bad", field[0], field[1]);
                Map<String, String> r = c.response(stream, null);
                assertEquals("PROTOCOL_ERROR", r.get(":reset"), field[0] + ": " + r);
                stream += 2;
            }
            c.frame(Frames.HEADERS, Frames.END_HEADERS | Frames.END_STREAM, stream,
                    c.block(":method", "GET", ":path", "/", "x-a", "b", ":scheme", "http")); // pseudo after regular
            assertEquals("PROTOCOL_ERROR", c.response(stream, null).get(":reset"));
            stream += 2;
            c.frame(Frames.HEADERS, Frames.END_HEADERS | Frames.END_STREAM, stream,
                    c.block(":method", "GET", ":scheme", "http")); // no :path
            assertEquals("PROTOCOL_ERROR", c.response(stream, null).get(":reset"));
            stream += 2;
            c.get(stream, "/fine", "te", "trailers");
            assertEquals("200", c.response(stream, null).get(":status"));
        }
    }

    @Test
    void aBodyThatDisagreesWithItsContentLengthIsReset() throws Exception {
        try (H2TestClient c = new H2TestClient(clear.address().getPort())) {
            c.frame(Frames.HEADERS, Frames.END_HEADERS, 1, c.block(":method", "POST", ":scheme", "http", ":path", "/p",
                    ":authority", "a", "content-length", "3"));
            c.data(1, "toolong".getBytes(StandardCharsets.US_ASCII), true);
            assertEquals("PROTOCOL_ERROR", c.response(1, null).get(":reset"));
            c.get(3, "/after");
            assertEquals("200", c.response(3, null).get(":status"));
        }
        assertTrue(app.requests().stream().noneMatch(r -> r.target().equals("/p") && r.body().length > 3));
    }

    @Test
    void frameLevelErrorsCloseTheConnectionWithGoaway() throws Exception {
        assertGoaway(Frames.PROTOCOL_ERROR, c -> c.frame(Frames.PING, 0, 0, new byte[8]), false); // SETTINGS first
        assertGoaway(Frames.PROTOCOL_ERROR, c -> c.data(5, new byte[3], true), true); // DATA on an idle stream
        assertGoaway(Frames.FRAME_SIZE_ERROR, c -> c.frame(Frames.PING, 0, 0, new byte[7]), true);
        assertGoaway(Frames.PROTOCOL_ERROR, c -> c.frame(Frames.PUSH_PROMISE, Frames.END_HEADERS, 1, new byte[4]), true);
        assertGoaway(Frames.COMPRESSION_ERROR, c -> c.frame(Frames.HEADERS, Frames.END_HEADERS, 1,
                new byte[] {(byte) 0xff, 0x7f}), true); // an index beyond the tables
        assertGoaway(Frames.PROTOCOL_ERROR, c -> {
            c.frame(Frames.HEADERS, 0, 1, c.block(":method", "GET"));
            c.get(3, "/interleaved"); // a header block interrupted
        }, true);
        assertGoaway(Frames.FLOW_CONTROL_ERROR, c -> {
            c.windowUpdate(0, Integer.MAX_VALUE);
            c.windowUpdate(0, Integer.MAX_VALUE);
        }, true);
    }

    interface Script {
        void run(H2TestClient c) throws Exception;
    }

    static void assertGoaway(int code, Script script, boolean preface) throws Exception {
        try (H2TestClient c = new H2TestClient(clear.address().getPort(), false)) {
            c.socket().getOutputStream().write(Frames.PREFACE);
            if (preface) {
                c.settings();
            }
            script.run(c);
            H2TestClient.Frame goaway = c.goawayAndClose();
            assertNotNull(goaway, "a GOAWAY before the close");
            assertEquals(Frames.error(code), Frames.error(goaway.errorCode()));
        }
    }

    static String readSome(InputStream in) throws Exception {
        byte[] buf = new byte[8192];
        int n = in.read(buf);
        return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }

    @Test
    void rapidResetClosesTheConnectionAndOthersAreServed() throws Exception {
        long before = clear.stats().http2LimitTrips("rapid_reset");
        try (H2TestClient c = new H2TestClient(clear.address().getPort())) {
            int stream = 1;
            try {
                for (int i = 0; i < 400; i++, stream += 2) {
                    c.get(stream, "/rr");
                    c.reset(stream, Frames.CANCEL);
                }
            } catch (java.io.IOException cutOff) {
                // closed while still sending: the point
            }
            H2TestClient.Frame goaway = c.goawayAndClose();
            assertNotNull(goaway);
            assertEquals("ENHANCE_YOUR_CALM", Frames.error(goaway.errorCode()));
        }
        assertTrue(clear.stats().http2LimitTrips("rapid_reset") + clear.stats().http2LimitTrips("glitches") > before);
        servedAfterwards();
    }

    @Test
    void continuationFloodIsCutOff() throws Exception {
        long before = clear.stats().http2LimitTrips("continuation");
        try (H2TestClient c = new H2TestClient(clear.address().getPort())) {
            c.frame(Frames.HEADERS, 0, 1, c.block(":method", "GET", ":scheme", "http", ":path", "/"));
            byte[] junk = c.block("x-a", "b".repeat(100));
            for (int i = 0; i < 10_000; i++) {
                try {
                    c.frame(Frames.CONTINUATION, 0, 1, junk);
                } catch (java.io.IOException closed) {
                    break;
                }
            }
            H2TestClient.Frame goaway = c.goawayAndClose();
            assertNotNull(goaway);
            assertEquals("ENHANCE_YOUR_CALM", Frames.error(goaway.errorCode()));
        }
        assertEquals(before + 1, clear.stats().http2LimitTrips("continuation"));
        servedAfterwards();
    }

    @Test
    void anHpackBombIsAnswered431WithoutBeingBuilt() throws Exception {
        long before = clear.stats().http2LimitTrips("header_list");
        try (H2TestClient c = new H2TestClient(clear.address().getPort())) {
            // one 4000-byte field indexed into the table, then referenced 200 times: 800 KB from 4 KB
            StringBuilder hex = new StringBuilder("828684410161").append("40017a7fa11e").append("61".repeat(4000));
            hex.append("be".repeat(200));
            c.frame(Frames.HEADERS, Frames.END_HEADERS | Frames.END_STREAM, 1, HexFormat.of().parseHex(hex));
            Map<String, String> r = c.response(1, null);
            assertEquals("431", r.get(":status"), r.toString());
            c.get(3, "/after");
            assertEquals("200", c.response(3, null).get(":status"));
        }
        assertEquals(before + 1, clear.stats().http2LimitTrips("header_list"));
    }

    @Test
    void aPingFloodFromAClientThatDoesNotReadIsCutOff() throws Exception {
        long before = clear.stats().http2LimitTrips("flood");
        try (H2TestClient c = new H2TestClient(clear.address().getPort())) {
            c.socket().setReceiveBufferSize(4096);
            byte[] pings = new byte[(Frames.HEADER + 8) * 1000];
            for (int i = 0; i < 1000; i++) {
                pings[i * 17 + 3] = Frames.PING; // length 8 in the first three bytes, then type
                pings[i * 17 + 2] = 8;
            }
            try {
                for (int i = 0; i < 1000; i++) { // 1,000,000 PINGs, none of the ACKs read
                    c.socket().getOutputStream().write(pings);
                }
            } catch (java.io.IOException closed) {
                // cut off while sending: the point
            }
        }
        Await.until(Duration.ofSeconds(10), "the flood counted", () -> clear.stats().http2LimitTrips("flood") > before);
        servedAfterwards();
    }

    @Test
    void settingsFloodTripsTheGlitchLimit() throws Exception {
        try (H2TestClient c = new H2TestClient(clear.address().getPort())) {
            try {
                for (int i = 0; i < 100; i++) {
                    c.settings(Frames.SETTINGS_ENABLE_PUSH, 0);
                }
            } catch (java.io.IOException cutOff) {
                // closed while still sending: the point
            }
            H2TestClient.Frame goaway = c.goawayAndClose();
            assertNotNull(goaway);
            assertEquals("ENHANCE_YOUR_CALM", Frames.error(goaway.errorCode()));
        }
        servedAfterwards();
    }

    @Test
    void streamsBeyondTheConcurrencyLimitAreRefused() throws Exception {
        try (H2TestClient c = new H2TestClient(clear.address().getPort())) {
            // streams whose request bodies never end stay open: 128 of them, then one more
            for (int i = 0; i < 129; i++) {
                c.frame(Frames.HEADERS, Frames.END_HEADERS, 1 + 2 * i, c.block(":method", "POST", ":scheme", "http",
                        ":path", "/open", ":authority", "a"));
            }
            H2TestClient.Frame refused = c.await(Frames.RST_STREAM, 1 + 2 * 128);
            assertNotNull(refused);
            assertEquals("REFUSED_STREAM", Frames.error(refused.errorCode()));
        }
    }

    @Test
    void closingTheProxyDrainsWithTwoGoaways() throws Exception {
        HttpProxy closing = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1).pool("app")
                .build().start();
        try (H2TestClient c = new H2TestClient(closing.address().getPort())) {
            c.get(1, "/before");
            assertEquals("200", c.response(1, null).get(":status"));
            Thread closer = new Thread(closing::close, "closer");
            closer.start();
            H2TestClient.Frame first = c.await(Frames.GOAWAY, 0);
            assertNotNull(first);
            assertEquals(Integer.MAX_VALUE, java.nio.ByteBuffer.wrap(first.payload()).getInt(0), "first: any stream");
            H2TestClient.Frame ping = c.await(Frames.PING, 0);
            assertNotNull(ping);
            c.frame(Frames.PING, Frames.ACK, 0, ping.payload());
            H2TestClient.Frame second = c.await(Frames.GOAWAY, 0);
            assertNotNull(second);
            assertEquals(1, java.nio.ByteBuffer.wrap(second.payload()).getInt(0), "then: the last stream taken up");
            assertEquals("NO_ERROR", Frames.error(second.errorCode()));
            assertEquals(null, c.read(), "closed once the streams are done");
            closer.join(30_000);
            assertTrue(!closer.isAlive());
        }
    }

    @Test
    void gzipCompressesResponsesPerStream() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 200_000; i++) {
            text.append("line ").append(i).append(" of a text that compresses well\n");
        }
        byte[] body = text.toString().getBytes(StandardCharsets.US_ASCII);
        try (RawHttpBackend texts = new RawHttpBackend("texts", (req, socket, out) -> {
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                    return true;
                });
                LoadBalancer textLb = LoadBalancer.builder().pool("t", p -> p.backend(texts.hostPort())).build();
                HttpProxy gz = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(textLb).threads(1).pool("t")
                        .policies(p -> p.compression(Compression.gzip())).build().start();
                H2TestClient c = new H2TestClient(gz.address().getPort())) {
            c.windowUpdate(0, 16 << 20);
            c.settings(Frames.SETTINGS_INITIAL_WINDOW_SIZE, 16 << 20);
            for (int stream = 1; stream <= 5; stream += 2) {
                c.get(stream, "/text", "accept-encoding", "gzip");
                ByteArrayOutputStream compressed = new ByteArrayOutputStream();
                Map<String, String> r = c.response(stream, compressed);
                assertEquals("gzip", r.get("content-encoding"), r.toString());
                assertTrue(!r.containsKey("content-length"), r.toString());
                assertTrue(compressed.size() < body.length / 10, "compressed to " + compressed.size());
                try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(
                        new java.io.ByteArrayInputStream(compressed.toByteArray()))) {
                    assertArrayEquals(body, in.readAllBytes());
                }
            }
            c.get(7, "/plain"); // no accept-encoding: as the backend sent it
            ByteArrayOutputStream plain = new ByteArrayOutputStream();
            Map<String, String> r = c.response(7, plain);
            assertEquals(Integer.toString(body.length), r.get("content-length"));
            assertArrayEquals(body, plain.toByteArray());
        }
    }

    static void servedAfterwards() throws Exception {
        try (H2TestClient c = new H2TestClient(clear.address().getPort())) {
            c.get(1, "/still-here");
            assertEquals("200", c.response(1, null).get(":status"));
        }
    }

    @Test
    void metricsCountStreamsAndConnections() throws Exception {
        long streams = clear.stats().http2Streams();
        try (H2TestClient c = new H2TestClient(clear.address().getPort())) {
            c.get(1, "/m");
            c.response(1, null);
            assertTrue(clear.stats().http2ActiveConnections() >= 1);
        }
        assertTrue(clear.stats().http2Streams() > streams);
        Await.until(Duration.ofSeconds(10), "the connection closed", () -> clear.stats().http2ActiveConnections() == 0);
    }
}
