package io.jlb.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP server for tests, one daemon thread per connection, bound to 127.0.0.1 on a free port. Ready-made
 * behaviours: {@link #echo()} (half-close aware), {@link #digest()} (answers the SHA-256 of all it received once the
 * client half-closes), {@link #source(long)} (sends that many random bytes, then half-closes), and
 * {@link #recording()} (keeps what each connection sent). {@link #close()} closes the listener and every
 * connection.
 */
public final class TestServer implements AutoCloseable {
    /** What the server does with one accepted connection. */
    @FunctionalInterface
    public interface Behaviour {
        void serve(Socket socket, TestServer server) throws IOException;
    }

    private final ServerSocket listener;
    private final Behaviour behaviour;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<byte[]> recorded = new ConcurrentLinkedQueue<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final String name;
    private volatile boolean closed;

    private TestServer(String name, Behaviour behaviour, int port) throws IOException {
        this(name, behaviour, port, new ServerSocket());
    }

    private TestServer(String name, Behaviour behaviour, int port, ServerSocket listener) throws IOException {
        this.name = name;
        this.behaviour = behaviour;
        this.listener = listener;
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        Thread t = new Thread(this::acceptLoop, "test-server-" + name + "-" + listener.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    /** A server with a custom behaviour. */
    public static TestServer start(String name, Behaviour behaviour) throws IOException {
        return new TestServer(name, behaviour, 0);
    }

    /** A TLS server presenting {@code context}'s certificate; {@code behaviour} runs after the handshake. */
    public static TestServer startTls(String name, javax.net.ssl.SSLContext context, Behaviour behaviour)
            throws IOException {
        ServerSocket tls = context.getServerSocketFactory().createServerSocket();
        return new TestServer(name, (socket, server) -> {
            ((javax.net.ssl.SSLSocket) socket).startHandshake();
            behaviour.serve(socket, server);
        }, 0, tls);
    }

    /** A TLS echo server that first writes its own name and a newline. */
    public static TestServer tlsEcho(String name, javax.net.ssl.SSLContext context) throws IOException {
        return startTls(name, context, (socket, server) -> {
            socket.getOutputStream().write((name + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            byte[] buf = new byte[16 * 1024];
            int n;
            InputStream in = socket.getInputStream();
            while ((n = in.read(buf)) >= 0) {
                socket.getOutputStream().write(buf, 0, n);
                socket.getOutputStream().flush();
            }
        });
    }

    /** A server with a custom behaviour on a given port (to bring a stopped server back). */
    public static TestServer startOn(int port, String name, Behaviour behaviour) throws IOException {
        return new TestServer(name, behaviour, port);
    }

    /** Echoes every byte; when the client half-closes, finishes echoing and half-closes too. */
    public static TestServer echo() throws IOException {
        return start("echo", TestServer::echo);
    }

    /** Reads until the client half-closes, then answers the 32-byte SHA-256 of what it read and closes. */
    public static TestServer digest() throws IOException {
        return start("digest", (socket, server) -> {
            MessageDigest sha = sha256();
            byte[] buf = new byte[64 * 1024];
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                sha.update(buf, 0, n);
            }
            OutputStream out = socket.getOutputStream();
            out.write(sha.digest());
            out.flush();
            socket.shutdownOutput();
        });
    }

    /** Sends {@code bytes} pseudo-random bytes (seeded by the byte count), then half-closes and drains the input. */
    public static TestServer source(long bytes) throws IOException {
        return start("source", (socket, server) -> {
            OutputStream out = socket.getOutputStream();
            Random r = new Random(bytes);
            byte[] buf = new byte[64 * 1024];
            long left = bytes;
            while (left > 0) {
                r.nextBytes(buf);
                int n = (int) Math.min(buf.length, left);
                out.write(buf, 0, n);
                left -= n;
            }
            out.flush();
            socket.shutdownOutput();
            socket.getInputStream().transferTo(OutputStream.nullOutputStream());
        });
    }

    /** Keeps everything each connection sent (see {@link #recorded()}); answers nothing. */
    public static TestServer recording() throws IOException {
        return start("recording", (socket, server) -> {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(all);
            server.recorded.add(all.toByteArray());
        });
    }

    /** The bytes {@link #source(long)} sends for a given count, for checking. */
    public static byte[] sourceBytes(long bytes) {
        Random r = new Random(bytes);
        byte[] all = new byte[(int) bytes];
        byte[] buf = new byte[64 * 1024];
        for (int off = 0; off < bytes; off += buf.length) {
            r.nextBytes(buf);
            System.arraycopy(buf, 0, all, off, (int) Math.min(buf.length, bytes - off));
        }
        return all;
    }

    private static void echo(Socket socket, TestServer server) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
        }
        socket.shutdownOutput();
    }

    /** SHA-256, which every JDK has. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            open.add(s);
            Thread t = new Thread(() -> {
                try {
                    behaviour.serve(s, this);
                } catch (SocketException e) {
                    // the peer went away: part of many tests
                } catch (IOException | RuntimeException e) {
                    if (!closed) {
                        System.err.println("test server " + name + ": " + e);
                    }
                } finally {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                    open.remove(s);
                }
            }, "test-server-" + name + "-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    /** The listening port. */
    public int port() {
        return listener.getLocalPort();
    }

    /** {@code 127.0.0.1:port}. */
    public String hostPort() {
        return "127.0.0.1:" + port();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Connections open now. */
    public int openConnections() {
        return open.size();
    }

    /** What each finished connection of a {@link #recording()} server sent, in order of completion. */
    public List<byte[]> recorded() {
        return List.copyOf(recorded);
    }

    /** Adds a connection's bytes to {@link #recorded()} (for custom behaviours). */
    public void record(byte[] bytes) {
        recorded.add(bytes);
    }

    /** Resets every open connection (SO_LINGER 0) without closing the listener. */
    public void resetConnections() {
        for (Socket s : open) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
