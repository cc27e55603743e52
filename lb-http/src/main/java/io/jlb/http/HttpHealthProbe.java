package io.jlb.http;

import io.jlb.core.Backend;
import io.jlb.core.HealthProbe;
import io.jlb.core.ProbeResult;
import io.jlb.http.internal.ChunkedFramer;
import io.jlb.http.internal.HeadParser;
import io.jlb.http.internal.HttpHead;
import io.jlb.nio.internal.EventLoop;
import io.jlb.nio.internal.IoHandler;
import io.jlb.nio.internal.Loops;
import io.jlb.nio.internal.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An HTTP health probe: sends {@code GET /path} (or another method) on a new connection and passes when the status
 * is in the expected range and, if asked, the body contains a given text. Non-blocking, on one event-loop thread
 * of its own, started on first use and stopped by {@link #close()}.
 *
 * <pre>{@code
 * HealthCheck check = HealthCheck.of(HttpHealthProbe.get("/health").expectStatus(200, 299).expectBody("ok").build());
 * }</pre>
 */
public final class HttpHealthProbe implements HealthProbe {
    private static final int MAX_BODY_BYTES = 64 * 1024;

    private final String method;
    private final String path;
    private final String host;
    private final int minStatus;
    private final int maxStatus;
    private final String expectBody;
    private Loops loops; // guarded by this
    private boolean closed; // guarded by this

    private HttpHealthProbe(Builder b) {
        this.method = b.method;
        this.path = b.path;
        this.host = b.host;
        this.minStatus = b.minStatus;
        this.maxStatus = b.maxStatus;
        this.expectBody = b.expectBody;
    }

    /** A builder for a probe sending {@code GET path}. */
    public static Builder get(String path) {
        return new Builder(path);
    }

    /**
     * Parses the probe syntax of the command line and configuration: {@code /path}, then comma-separated options
     * {@code expect=200-399}, {@code body=text}, {@code method=HEAD}, {@code host=name}.
     *
     * @throws IllegalArgumentException naming the bad part
     */
    public static HttpHealthProbe parse(String spec) {
        String[] parts = Objects.requireNonNull(spec, "spec").split(",");
        Builder b = get(parts[0].trim());
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("http health check: '" + p + "' (expected: key=value)");
            }
            String key = p.substring(0, eq).trim();
            String value = p.substring(eq + 1).trim();
            switch (key) {
                case "expect" -> {
                    String[] range = value.split("-");
                    try {
                        int from = Integer.parseInt(range[0]);
                        b.expectStatus(from, range.length > 1 ? Integer.parseInt(range[1]) : from);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("http health check: expect=" + value
                                + " (expected: a status or range such as 200-399)");
                    }
                }
                case "body" -> b.expectBody(value);
                case "method" -> b.method(value);
                case "host" -> b.host(value);
                default -> throw new IllegalArgumentException("http health check: unknown option '" + key
                        + "' (expected: expect, body, method, host)");
            }
        }
        return b.build();
    }

    @Override
    public CompletionStage<ProbeResult> probe(Backend backend, Duration timeout) {
        CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        EventLoop loop;
        try {
            loop = loop();
        } catch (IllegalStateException e) {
            result.complete(ProbeResult.down("probe closed"));
            return result;
        }
        loop.execute(() -> new Probe(loop, backend, timeout, result).start());
        return result;
    }

    private synchronized EventLoop loop() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (loops == null) {
            loops = Loops.start("jlb-http-probe", 1, 16 * 1024);
        }
        return loops.loop(0);
    }

    @Override
    public String describe() {
        return "http " + method + " " + path + " expect " + minStatus + "-" + maxStatus
                + (expectBody != null ? " body~'" + expectBody + "'" : "");
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (loops != null) {
            loops.close();
            loops = null;
        }
    }

    /** One probe: connect, send, read the status (and body when checked), judge. */
    private final class Probe implements IoHandler {
        private final EventLoop loop;
        private final Backend backend;
        private final CompletableFuture<ProbeResult> result;
        private final long timeoutNanos;
        private final Timer timer;
        private final HeadParser parser = new HeadParser(false, 8192, 16 * 1024, 200);
        private final ByteBuffer in = ByteBuffer.allocate(16 * 1024 + MAX_BODY_BYTES);
        private ByteBuffer request;
        private SocketChannel channel;
        private SelectionKey key;
        private long start;
        private boolean headDone;

        Probe(EventLoop loop, Backend backend, Duration timeout, CompletableFuture<ProbeResult> result) {
            this.loop = loop;
            this.backend = backend;
            this.result = result;
            this.timeoutNanos = timeout.toNanos();
            this.timer = loop.timer(() -> finish(ProbeResult.down("timeout")));
            result.whenComplete((r, e) -> loop.execute(this::closeChannel)); // also on the checker's cancel
        }

        void start() {
            start = System.nanoTime();
            String hostHeader = host != null ? host : backend.authority();
            request = ByteBuffer.wrap((method + " " + path + " HTTP/1.1\r\nHost: " + hostHeader
                    + "\r\nUser-Agent: jlb-health-check\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            parser.begin(in, 0);
            try {
                channel = io.jlb.nio.internal.Addresses.openSocket(backend.address());
                channel.configureBlocking(false);
                key = loop.register(channel, SelectionKey.OP_CONNECT, this);
                timer.schedule(timeoutNanos);
                if (channel.connect(backend.address())) {
                    connected();
                }
            } catch (IOException | RuntimeException e) {
                finish(ProbeResult.down("connect failed: " + message(e)));
            }
        }

        @Override
        public void ready(int readyOps) {
            try {
                if ((readyOps & SelectionKey.OP_CONNECT) != 0 && channel.finishConnect()) {
                    connected();
                    return;
                }
                if ((readyOps & SelectionKey.OP_WRITE) != 0) {
                    send();
                }
                if ((readyOps & SelectionKey.OP_READ) != 0) {
                    receive();
                }
            } catch (IOException e) {
                finish(ProbeResult.down((headDone ? "reading body failed: " : "connection failed: ") + message(e)));
            }
        }

        private void connected() throws IOException {
            key.interestOps(SelectionKey.OP_WRITE);
            send();
        }

        private void send() throws IOException {
            channel.write(request);
            key.interestOps(request.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        private void receive() throws IOException {
            int n = in.hasRemaining() ? channel.read(in) : -1;
            boolean ended = n < 0;
            if (!headDone) {
                HeadParser.Result r = parser.parse(in.position());
                if (r == HeadParser.Result.ERROR) {
                    finish(ProbeResult.down("invalid HTTP response: " + parser.errorReason()));
                    return;
                }
                if (r == HeadParser.Result.NEED_MORE) {
                    if (ended) {
                        finish(ProbeResult.down("connection closed before a response"));
                    }
                    return;
                }
                headDone = true;
                HttpHead h = parser.head();
                int status = h.status();
                if (status < minStatus || status > maxStatus) {
                    finish(ProbeResult.down("HTTP " + status + " (expected " + minStatus + "-" + maxStatus + ")"));
                    return;
                }
                if (expectBody == null) {
                    finish(ProbeResult.up("HTTP " + status + elapsed()));
                    return;
                }
            }
            judgeBody(ended);
        }

        private void judgeBody(boolean ended) {
            HttpHead h = parser.head();
            byte[] body = body(h);
            boolean complete = ended || !in.hasRemaining()
                    || (h.contentLength() >= 0 && in.position() - h.end() >= h.contentLength());
            String text = new String(body, StandardCharsets.UTF_8);
            if (text.contains(expectBody)) {
                finish(ProbeResult.up("HTTP " + h.status() + ", body matches" + elapsed()));
            } else if (complete) {
                finish(ProbeResult.down("HTTP " + h.status() + ", body lacks '" + expectBody + "'"));
            }
        }

        private byte[] body(HttpHead h) {
            int from = h.end();
            int to = in.position();
            if (h.contentLength() >= 0) {
                to = (int) Math.min(to, from + h.contentLength());
            }
            if (!h.chunked()) {
                byte[] b = new byte[to - from];
                in.get(from, b);
                return b;
            }
            ChunkedFramer framer = new ChunkedFramer(4096);
            java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
            int at = from;
            while (at < to && !framer.done() && framer.error() == null) {
                int n = framer.step(in, at, to);
                if (framer.data()) {
                    for (int k = at; k < at + n; k++) {
                        data.write(in.get(k));
                    }
                }
                at += n;
            }
            return data.toByteArray();
        }

        private String elapsed() {
            return String.format(Locale.ROOT, " in %.1f ms", (System.nanoTime() - start) / 1e6);
        }

        private void finish(ProbeResult r) {
            timer.cancel();
            result.complete(r);
            closeChannel();
        }

        private void closeChannel() {
            timer.cancel();
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        @Override
        public void failed(Throwable error) {
            finish(ProbeResult.down("probe failed: " + message(error)));
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Configures an {@link HttpHealthProbe}. */
    public static final class Builder {
        private final String path;
        private String method = "GET";
        private String host;
        private int minStatus = 200;
        private int maxStatus = 399;
        private String expectBody;

        private Builder(String path) {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
                throw new IllegalArgumentException("http health check path: '" + path
                        + "' (expected: /path without spaces)");
            }
            this.path = path;
        }

        /** The method; GET unless set ({@code HEAD} skips the body). */
        public Builder method(String value) {
            if (value == null || value.isEmpty() || !value.chars().allMatch(Character::isLetter)) {
                throw new IllegalArgumentException("http health check method: '" + value + "'");
            }
            method = value.toUpperCase(Locale.ROOT);
            return this;
        }

        /** The Host header; the backend's {@code host:port} unless set. */
        public Builder host(String value) {
            host = Objects.requireNonNull(value, "host");
            return this;
        }

        /** The statuses that pass, inclusive; 200-399 unless set. */
        public Builder expectStatus(int from, int to) {
            if (from < 100 || to > 599 || from > to) {
                throw new IllegalArgumentException("http health check expect: " + from + "-" + to
                        + " (expected: a range within 100-599)");
            }
            minStatus = from;
            maxStatus = to;
            return this;
        }

        /** A text the body must contain (read up to 64 KiB). */
        public Builder expectBody(String text) {
            expectBody = Objects.requireNonNull(text, "text");
            return this;
        }

        /** Builds the probe. */
        public HttpHealthProbe build() {
            return new HttpHealthProbe(this);
        }
    }
}
