package io.jlb.http;

import io.jlb.http.internal.h2.Frames;
import io.jlb.http.internal.h2.HpackDecoder;
import io.jlb.http.internal.h2.HpackEncoder;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An HTTP/2 client at the frame level, over a raw socket, for tests that must send what no well-behaved client
 * would: frames are written as given, and read back one at a time.
 */
final class H2TestClient implements AutoCloseable {
    /** A frame read. */
    record Frame(int type, int flags, int stream, byte[] payload) {
        boolean has(int flag) {
            return (flags & flag) != 0;
        }

        /** The error code of a RST_STREAM or GOAWAY. */
        int errorCode() {
            ByteBuffer b = ByteBuffer.wrap(payload);
            return type == Frames.GOAWAY ? b.getInt(4) : b.getInt(0);
        }

        @Override
        public String toString() {
            return "frame type " + type + " flags " + flags + " stream " + stream + " (" + payload.length + " bytes)"
                    + (type == Frames.GOAWAY || type == Frames.RST_STREAM ? " " + Frames.error(errorCode()) : "");
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final HpackEncoder encoder = new HpackEncoder();
    private final HpackDecoder decoder = new HpackDecoder(4096);

    /** Connects and sends the preface and an empty SETTINGS. */
    H2TestClient(int port) throws IOException {
        this(port, true);
    }

    H2TestClient(int port, boolean preface) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        if (preface) {
            out.write(Frames.PREFACE);
            settings();
        }
    }

    Socket socket() {
        return socket;
    }

    void settings(int... keysAndValues) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(keysAndValues.length * 3);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            b.putShort((short) keysAndValues[i]).putInt(keysAndValues[i + 1]);
        }
        frame(Frames.SETTINGS, 0, 0, b.array());
    }

    void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] f = new byte[Frames.HEADER + payload.length];
        ByteBuffer b = ByteBuffer.wrap(f);
        b.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length);
        b.put((byte) type).put((byte) flags).putInt(stream).put(payload);
        out.write(f);
        out.flush();
    }

    /** A header block of {@code nameValues} (name, value, name, value...), HPACK-encoded. */
    byte[] block(String... nameValues) {
        ByteBuffer b = ByteBuffer.allocate(64 * 1024);
        encoder.begin(b);
        for (int i = 0; i < nameValues.length; i += 2) {
            encoder.field(nameValues[i], nameValues[i + 1], b);
        }
        byte[] bytes = new byte[b.position()];
        b.flip().get(bytes);
        return bytes;
    }

    /** A GET (or other request) on {@code stream}: {@code :method GET :scheme http :path path :authority a}. */
    void get(int stream, String path, String... more) throws IOException {
        List<String> fields = new ArrayList<>(List.of(":method", "GET", ":scheme", "http", ":path", path,
                ":authority", "h2.test"));
        fields.addAll(List.of(more));
        frame(Frames.HEADERS, Frames.END_HEADERS | Frames.END_STREAM, stream, block(fields.toArray(String[]::new)));
    }

    void data(int stream, byte[] bytes, boolean end) throws IOException {
        frame(Frames.DATA, end ? Frames.END_STREAM : 0, stream, bytes);
    }

    void reset(int stream, int code) throws IOException {
        frame(Frames.RST_STREAM, 0, stream, ByteBuffer.allocate(4).putInt(code).array());
    }

    void windowUpdate(int stream, int increment) throws IOException {
        frame(Frames.WINDOW_UPDATE, 0, stream, ByteBuffer.allocate(4).putInt(increment).array());
    }

    /** The next frame, or null when the connection closed (or was reset). */
    Frame read() throws IOException {
        byte[] head = new byte[Frames.HEADER];
        try {
            in.readFully(head);
        } catch (EOFException | SocketException e) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(head);
        int length = (b.get(0) & 0xff) << 16 | (b.get(1) & 0xff) << 8 | (b.get(2) & 0xff);
        byte[] payload = new byte[length];
        try {
            in.readFully(payload);
        } catch (EOFException | SocketException e) {
            return null;
        }
        return new Frame(b.get(3) & 0xff, b.get(4) & 0xff, b.getInt(5) & 0x7fffffff, payload);
    }

    /** Reads until a frame of {@code type} (on {@code stream}, unless -1); null when the connection closed first. */
    Frame await(int type, int stream) throws IOException {
        for (Frame f = read(); f != null; f = read()) {
            if (f.type() == type && (stream < 0 || f.stream() == stream)) {
                return f;
            }
        }
        return null;
    }

    /** Reads until the connection closes: the GOAWAY seen on the way, or null. */
    Frame goawayAndClose() throws IOException {
        Frame goaway = null;
        try {
            for (Frame f = read(); f != null; f = read()) {
                if (f.type() == Frames.GOAWAY) {
                    goaway = f;
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection stayed open (last GOAWAY: " + goaway + ")", e);
        }
        return goaway;
    }

    /** Reads until the first header block on {@code stream} (other streams' blocks are decoded too) and returns it. */
    Map<String, String> awaitHeaders(int stream) throws IOException {
        for (Frame f = read(); f != null; f = read()) {
            if (f.type() == Frames.HEADERS) {
                Map<String, String> fields = new LinkedHashMap<>();
                try {
                    decoder.decode(ByteBuffer.wrap(f.payload()), 0, f.payload().length, 1 << 20, fields::put);
                } catch (HpackDecoder.Error e) {
                    throw new IOException(e);
                }
                if (f.stream() == stream) {
                    return fields;
                }
            }
        }
        return Map.of(":closed", "true");
    }

    /** The response on {@code stream}: status, fields and body, read through its END_STREAM (or a reset: null). */
    Map<String, String> response(int stream, java.io.ByteArrayOutputStream body) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        for (Frame f = read(); f != null; f = read()) {
            if (f.type() == Frames.HEADERS) { // every block is decoded: the table follows all of them
                Map<String, String> target = f.stream() == stream ? fields : new LinkedHashMap<>();
                try {
                    decoder.decode(ByteBuffer.wrap(f.payload()), 0, f.payload().length, 1 << 20,
                            (n, v) -> target.merge(n, v, (a, c) -> a + ", " + c));
                } catch (HpackDecoder.Error e) {
                    throw new IOException(e);
                }
            }
            if (f.stream() != stream) {
                continue;
            }
            if (f.type() == Frames.RST_STREAM) {
                fields.put(":reset", Frames.error(f.errorCode()));
                return fields;
            }
            if (f.type() == Frames.DATA && body != null) {
                body.write(f.payload());
            }
            if (f.has(Frames.END_STREAM)) {
                return fields;
            }
        }
        fields.put(":closed", "true");
        return fields;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
