package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** gzip on the way out, through the running proxy, decoded by the JDK's own GZIPInputStream. */
@Timeout(60)
class CompressionIT {
    private static final byte[] TEXT = ("{\"items\":[" + "{\"id\":12345,\"name\":\"a fairly repetitive json document\"},"
            .repeat(4000) + "{}]}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] NOISE = new byte[300_000];

    static {
        new Random(7).nextBytes(NOISE);
    }

    private RawHttpBackend backend;
    private LoadBalancer lb;
    private HttpProxy proxy;

    @BeforeEach
    void start() throws Exception {
        backend = new RawHttpBackend("app", (req, socket, out) -> {
            switch (req.target()) {
                case "/json" -> head(out, 200, TEXT, "Content-Type: application/json", "ETag: \"v1\"", "Vary: Cookie");
                case "/noise" -> head(out, 200, NOISE, "Content-Type: text/plain");
                case "/small" -> head(out, 200, "tiny".getBytes(StandardCharsets.US_ASCII), "Content-Type: text/plain");
                case "/png" -> head(out, 200, TEXT, "Content-Type: image/png");
                case "/brotli" -> head(out, 200, TEXT, "Content-Type: text/plain", "Content-Encoding: br");
                case "/no-transform" -> head(out, 200, TEXT, "Content-Type: text/plain", "Cache-Control: no-transform");
                case "/missing" -> head(out, 404, TEXT, "Content-Type: text/plain");
                case "/chunked" -> {
                    out.write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < TEXT.length; i += 7000) {
                        int n = Math.min(7000, TEXT.length - i);
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(TEXT, i, n);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                default -> head(out, 200, TEXT, "Content-Type: text/plain");
            }
            return true;
        });
        lb = LoadBalancer.builder().pool("app", p -> p.backend(backend.hostPort())).build();
        proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(1)
                .policies(p -> p.compression(Compression.gzip()))
                .pool("app").build().start();
    }

    private static void head(OutputStream out, int status, byte[] body, String... headers) throws IOException {
        StringBuilder h = new StringBuilder("HTTP/1.1 " + status + " X\r\n");
        for (String f : headers) {
            h.append(f).append("\r\n");
        }
        h.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        lb.close();
        backend.close();
    }

    @Test
    void aCompressibleResponseIsGzippedAndDecodesToTheOriginal() throws Exception {
        try (RawClient c = new RawClient(proxy.address())) {
            c.send("GET /json HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br;q=1.0, gzip;q=0.8\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals("gzip", r.header("content-encoding"));
            assertEquals("chunked", r.header("transfer-encoding"));
            assertNull(r.header("content-length"));
            assertEquals("Accept-Encoding, Cookie", r.header("vary"));
            assertEquals("W/\"v1\"", r.header("etag"), "a strong tag no longer names these bytes");
            assertTrue(r.body().length < TEXT.length / 20, "compressed to " + r.body().length + " of " + TEXT.length);
            assertArrayEquals(TEXT, gunzip(r.body()));
            c.send("GET /chunked HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n");
            RawClient.Response chunked = c.read();
            assertEquals("gzip", chunked.header("content-encoding"));
            assertArrayEquals(TEXT, gunzip(chunked.body()), "a chunked body, its framing removed then compressed");
            c.send("GET /noise HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n");
            assertArrayEquals(NOISE, gunzip(c.read().body()), "incompressible data survives, however it grows");
            c.send("GET /json HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n");
            assertArrayEquals(TEXT, gunzip(c.read().body()), "the connection goes on after a compressed response");
        }
    }

    @Test
    void responsesThatShouldNotBeCompressedAreLeftAlone() throws Exception {
        String[][] cases = {
            {"/json", ""},
            {"/json", "Accept-Encoding: gzip;q=0, deflate\r\n"},
            {"/small", "Accept-Encoding: gzip\r\n"},
            {"/png", "Accept-Encoding: gzip\r\n"},
            {"/brotli", "Accept-Encoding: gzip\r\n"},
            {"/no-transform", "Accept-Encoding: gzip\r\n"},
            {"/missing", "Accept-Encoding: *\r\n"},
        };
        try (RawClient c = new RawClient(proxy.address())) {
            for (String[] k : cases) {
                c.send("GET " + k[0] + " HTTP/1.1\r\nHost: a\r\n" + k[1] + "\r\n");
                RawClient.Response r = c.read();
                assertTrue(r.header("content-encoding") == null || r.header("content-encoding").equals("br"),
                        k[0] + " " + k[1]);
                assertTrue(r.header("content-length") != null, k[0] + ": passed through with its length");
            }
            c.send("GET /json HTTP/1.0\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n");
            assertNull(c.read().header("content-encoding"), "HTTP/1.0 has no chunked framing to stream it in");
        }
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }
}
