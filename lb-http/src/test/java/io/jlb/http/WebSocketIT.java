package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import io.jlb.core.testing.Await;
import io.jlb.core.testing.TestServer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real WebSocket client (the JDK's) through the proxy's upgrade tunnel to a minimal RFC 6455 echo server. */
@Timeout(60)
class WebSocketIT {

    /** Answers the handshake, then echoes text and binary frames unmasked, answers close with close. */
    static TestServer webSocketEcho() throws IOException {
        return TestServer.start("ws-echo", (socket, server) -> {
            InputStream in = socket.getInputStream();
            String head = RawHttpBackend.readHead(in);
            server.record(head.getBytes(StandardCharsets.ISO_8859_1));
            String key = null;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase().startsWith("sec-websocket-key:")) {
                    key = line.substring(line.indexOf(':') + 1).trim();
                }
            }
            String accept;
            try {
                accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IOException(e);
            }
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            DataInputStream data = new DataInputStream(in);
            while (true) {
                int b0 = data.read();
                if (b0 < 0) {
                    return;
                }
                int b1 = data.readUnsignedByte();
                long len = b1 & 0x7f;
                if (len == 126) {
                    len = data.readUnsignedShort();
                } else if (len == 127) {
                    len = data.readLong();
                }
                byte[] mask = new byte[4];
                if ((b1 & 0x80) != 0) {
                    data.readFully(mask);
                }
                byte[] payload = new byte[(int) len];
                data.readFully(payload);
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i % 4];
                }
                int opcode = b0 & 0x0f;
                writeFrame(out, opcode == 9 ? 10 : opcode, payload);
                if (opcode == 8) {
                    return;
                }
            }
        });
    }

    private static void writeFrame(OutputStream out, int opcode, byte[] payload) throws IOException {
        out.write(0x80 | opcode);
        if (payload.length < 126) {
            out.write(payload.length);
        } else if (payload.length < 65536) {
            out.write(126);
            out.write(payload.length >> 8);
            out.write(payload.length);
        } else {
            out.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload.length >> shift));
            }
        }
        out.write(payload);
        out.flush();
    }

    @Test
    void echoesThroughAnUpgradedConnection() throws Exception {
        try (TestServer backend = webSocketEcho();
                LoadBalancer lb = LoadBalancer.builder().pool("ws", p -> p.backend(backend.hostPort())).build();
                HttpProxy proxy = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).pool("ws").threads(1)
                        .build().start()) {
            List<String> texts = new CopyOnWriteArrayList<>();
            List<Integer> binaries = new CopyOnWriteArrayList<>();
            CompletableFuture<Integer> closed = new CompletableFuture<>();
            WebSocket.Listener listener = new WebSocket.Listener() {
                private final StringBuilder text = new StringBuilder();
                private int binary;

                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        texts.add(text.toString());
                        text.setLength(0);
                    }
                    ws.request(1);
                    return null;
                }

                @Override
                public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                    binary += data.remaining();
                    if (last) {
                        binaries.add(binary);
                        binary = 0;
                    }
                    ws.request(1);
                    return null;
                }

                @Override
                public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                    closed.complete(statusCode);
                    return null;
                }
            };
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create("ws://127.0.0.1:" + proxy.address().getPort() + "/chat"), listener)
                    .get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 20; i++) {
                ws.sendText("message " + i, true).get(5, TimeUnit.SECONDS);
            }
            ws.sendBinary(ByteBuffer.allocate(200_000), true).get(5, TimeUnit.SECONDS);
            Await.until(Duration.ofSeconds(10), "echoes", () -> texts.size() == 20 && binaries.size() == 1);
            for (int i = 0; i < 20; i++) {
                assertEquals("message " + i, texts.get(i));
            }
            assertEquals(200_000, binaries.get(0));
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            assertEquals(WebSocket.NORMAL_CLOSURE, closed.get(10, TimeUnit.SECONDS));
            String handshake = new String(backend.recorded().get(0), StandardCharsets.ISO_8859_1).toLowerCase();
            assertTrue(handshake.contains("upgrade: websocket") && handshake.contains("connection: upgrade"), handshake);
            assertEquals(1, proxy.stats().upgrades());
            Await.until(Duration.ofSeconds(10), "tunnel closed", () -> proxy.stats().activeConnections() == 0);
        }
    }
}
