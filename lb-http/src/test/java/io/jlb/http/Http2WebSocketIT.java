package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import io.jlb.core.testing.TestServer;
import io.jlb.http.internal.h2.Frames;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** WebSockets over HTTP/2 (RFC 8441): an extended CONNECT relayed to an HTTP/1.1 WebSocket backend. */
@Timeout(60)
class Http2WebSocketIT {

    /** A masked client frame (RFC 6455 §5.2) with a short payload. */
    static byte[] clientFrame(int opcode, byte[] payload) {
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        ByteBuffer b = ByteBuffer.allocate(6 + payload.length);
        b.put((byte) (0x80 | opcode)).put((byte) (0x80 | payload.length)).put(mask);
        for (int i = 0; i < payload.length; i++) {
            b.put((byte) (payload[i] ^ mask[i % 4]));
        }
        return b.array();
    }

    /** Reads DATA on {@code stream} until {@code n} bytes came (or the stream ended); returns them. */
    static byte[] readData(H2TestClient c, int stream, int n) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < n) {
            H2TestClient.Frame f = c.read();
            assertNotNull(f, "the connection stayed open");
            if (f.stream() == stream && f.type() == Frames.DATA) {
                out.write(f.payload());
                if (f.has(Frames.END_STREAM)) {
                    break;
                }
            }
            assertTrue(f.type() != Frames.RST_STREAM && f.type() != Frames.GOAWAY, "unexpected " + f);
        }
        return out.toByteArray();
    }

    @Test
    void anExtendedConnectBecomesAnUpgradeAndFramesFlowBothWays() throws Exception {
        try (TestServer backend = WebSocketIT.webSocketEcho();
                LoadBalancer lb = LoadBalancer.builder().pool("ws", p -> p.backend(backend.hostPort())).build();
                HttpProxy proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).pool("ws").threads(1)
                        .build().start();
                H2TestClient c = new H2TestClient(proxy.address().getPort())) {
            H2TestClient.Frame settings = c.await(Frames.SETTINGS, 0);
            assertNotNull(settings);
            ByteBuffer p = ByteBuffer.wrap(settings.payload());
            boolean connectProtocol = false;
            while (p.hasRemaining()) {
                int key = p.getShort() & 0xffff;
                int value = p.getInt();
                connectProtocol |= key == Frames.SETTINGS_ENABLE_CONNECT_PROTOCOL && value == 1;
            }
            assertTrue(connectProtocol, "SETTINGS_ENABLE_CONNECT_PROTOCOL announced");
            c.frame(Frames.HEADERS, Frames.END_HEADERS, 1, c.block(":method", "CONNECT", ":protocol", "websocket",
                    ":scheme", "http", ":path", "/chat", ":authority", "ws.test", "sec-websocket-version", "13"));
            Map<String, String> answer = c.awaitHeaders(1);
            assertEquals("200", answer.get(":status"), answer.toString());
            c.data(1, clientFrame(1, "hello".getBytes(StandardCharsets.US_ASCII)), false);
            assertArrayEquals(new byte[] {(byte) 0x81, 5, 'h', 'e', 'l', 'l', 'o'}, readData(c, 1, 7));
            byte[] big = new byte[100];
            java.util.Arrays.fill(big, (byte) 'x');
            c.data(1, clientFrame(2, big), false);
            byte[] echoed = readData(c, 1, 102);
            assertEquals((byte) 0x82, echoed[0]);
            assertEquals(100, echoed[1]);
            c.data(1, clientFrame(8, new byte[] {0x03, (byte) 0xe8}), false); // close 1000
            byte[] close = readData(c, 1, 4);
            assertArrayEquals(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xe8}, close);
            c.data(1, new byte[0], true); // the client's side ends too
            String head = new String(backend.recorded().get(0), StandardCharsets.ISO_8859_1);
            String lower = head.toLowerCase(java.util.Locale.ROOT);
            assertTrue(head.startsWith("GET /chat HTTP/1.1\r\n") && lower.contains("\r\nupgrade: websocket\r\n")
                    && lower.contains("\r\nsec-websocket-key: ") && lower.contains("\r\nsec-websocket-version: 13\r\n")
                    && !lower.contains("transfer-encoding") && !lower.contains("content-length"), head);
            c.get(3, "/after"); // the connection goes on
            assertTrue(c.response(3, null).containsKey(":status"));
        }
    }

    @Test
    void otherProtocolsAndBodiesOnAnExtendedConnectAreRefused() throws Exception {
        try (TestServer backend = WebSocketIT.webSocketEcho();
                LoadBalancer lb = LoadBalancer.builder().pool("ws", p -> p.backend(backend.hostPort())).build();
                HttpProxy proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).pool("ws").threads(1)
                        .build().start();
                H2TestClient c = new H2TestClient(proxy.address().getPort())) {
            c.frame(Frames.HEADERS, Frames.END_HEADERS, 1, c.block(":method", "CONNECT", ":protocol", "h2c",
                    ":scheme", "http", ":path", "/", ":authority", "a"));
            assertEquals("PROTOCOL_ERROR", c.response(1, null).get(":reset"));
            c.frame(Frames.HEADERS, Frames.END_HEADERS, 3, c.block(":method", "CONNECT", ":protocol", "websocket",
                    ":scheme", "http", ":path", "/", ":authority", "a", "sec-websocket-key", "AAAAAAAAAAAAAAAAAAAAAA=="));
            assertEquals("PROTOCOL_ERROR", c.response(3, null).get(":reset"));
            c.frame(Frames.HEADERS, Frames.END_HEADERS, 5, c.block(":method", "CONNECT", ":authority", "a:443"));
            assertEquals("PROTOCOL_ERROR", c.response(5, null).get(":reset")); // plain CONNECT: no open proxy
        }
    }
}
