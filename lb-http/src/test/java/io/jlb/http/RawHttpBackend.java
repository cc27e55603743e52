package io.jlb.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deliberately simple HTTP/1.1 backend for tests, one thread per connection, on 127.0.0.1: it reads requests the
 * way a plain server would (head to the empty line, then a Content-Length or chunked body), records each one and
 * the raw bytes of each connection, and answers through a handler. Keep-alive unless the handler closes.
 */
final class RawHttpBackend implements AutoCloseable {
    /** A request as this backend read it. */
    record Request(String method, String target, Map<String, List<String>> headers, byte[] body, int connection,
            int indexOnConnection) {
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.get(0);
        }

        List<String> headers(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }
    }

    /** Answers one request; return false to close the connection after. */
    @FunctionalInterface
    interface Handler {
        boolean handle(Request request, Socket socket, OutputStream out) throws IOException;
    }

    private final ServerSocket listener;
    private final Handler handler;
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private final List<ByteArrayOutputStream> raw = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    final String name;

    RawHttpBackend(String name, Handler handler) throws IOException {
        this.name = name;
        this.handler = handler;
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "raw-http-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** Answers every request 200 with a body naming this backend and echoing the request line. */
    static RawHttpBackend named(String name) throws IOException {
        return new RawHttpBackend(name, (req, socket, out) -> {
            respond(out, 200, name + " " + req.method() + " " + req.target(), "X-Backend: " + name);
            return true;
        });
    }

    static void respond(OutputStream out, int status, String body, String... headers) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(" X\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        sb.append("Content-Length: ").append(b.length).append("\r\n\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + b.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(b, 0, all, head.length, b.length);
        out.write(all); // one write: no Nagle delay between head and body
        out.flush();
    }

    int port() {
        return listener.getLocalPort();
    }

    String hostPort() {
        return "127.0.0.1:" + port();
    }

    List<Request> requests() {
        return new ArrayList<>(requests);
    }

    int connections() {
        return connections.get();
    }

    /** Everything received on connection {@code i} (in accept order). */
    String rawReceived(int i) {
        return raw.get(i).toString(StandardCharsets.ISO_8859_1);
    }

    String allRawReceived() {
        StringBuilder sb = new StringBuilder();
        for (ByteArrayOutputStream b : raw) {
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
        }
        return sb.toString();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return;
            }
            int id = connections.getAndIncrement();
            ByteArrayOutputStream record = new ByteArrayOutputStream();
            raw.add(record);
            sockets.add(s);
            Thread t = new Thread(() -> serve(s, id, record), "raw-http-" + name + "-" + id);
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket s, int id, ByteArrayOutputStream record) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = new Recording(new BufferedInputStream(s.getInputStream()), record);
            OutputStream out = s.getOutputStream();
            for (int index = 0; ; index++) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String[] lines = head.split("\r\n");
                String[] requestLine = lines[0].split(" ");
                Map<String, List<String>> headers = new LinkedHashMap<>();
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    if (colon > 0) {
                        headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                                k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
                    }
                }
                byte[] body = readBody(in, headers);
                Request r = new Request(requestLine[0], requestLine.length > 1 ? requestLine[1] : "", headers, body, id,
                        index);
                requests.add(r);
                if (!handler.handle(r, s, out)) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the proxy closed, reset or cut a request short: part of many tests
        }
    }

    /** The head up to and without the empty line, or null at end of stream. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (true) {
            int c = in.read();
            if (c < 0) {
                return head.size() == 0 ? null : head.toString(StandardCharsets.ISO_8859_1);
            }
            head.write(c);
            matched = (c == '\r' && (matched == 0 || matched == 2)) || (c == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
            if (matched == 4) {
                byte[] b = head.toByteArray();
                return new String(b, 0, b.length - 4, StandardCharsets.ISO_8859_1);
            }
        }
    }

    private static byte[] readBody(InputStream in, Map<String, List<String>> headers) throws IOException {
        List<String> te = headers.get("transfer-encoding");
        if (te != null && te.get(0).toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine(in);
                int semi = sizeLine.indexOf(';');
                int size = Integer.parseInt((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
                if (size == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers
                    }
                    return body.toByteArray();
                }
                body.write(in.readNBytes(size));
                readLine(in);
            }
        }
        List<String> cl = headers.get("content-length");
        if (cl != null) {
            return in.readNBytes(Integer.parseInt(cl.get(0)));
        }
        return new byte[0];
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** Drops every open connection abruptly. */
    void resetConnections() {
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException ignored) {
                // gone already
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** Copies what it reads into a record of the connection. */
    private static final class Recording extends InputStream {
        private final InputStream in;
        private final ByteArrayOutputStream record;

        Recording(InputStream in, ByteArrayOutputStream record) {
            this.in = in;
            this.record = record;
        }

        @Override
        public int read() throws IOException {
            int c = in.read();
            if (c >= 0) {
                synchronized (record) {
                    record.write(c);
                }
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                synchronized (record) {
                    record.write(b, off, n);
                }
            }
            return n;
        }
    }
}
