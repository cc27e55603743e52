package io.jlb.nio;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per L7 request or L4 connection, written at INFO through slf4j to a logger of its own
 * ({@value #DEFAULT_LOGGER} unless named otherwise), so that a host application routes it with its logging
 * configuration (a file, a JSON encoder, off).
 *
 * <p>The event loops never wait for it: they hand each entry to a bounded queue that one daemon thread drains into
 * the logger; when the logger cannot keep up and the queue is full, entries are dropped and counted
 * ({@link #dropped()}), never buffered without bound. Entries are built only while the logger is enabled at INFO.
 *
 * <p>Line formats (times in milliseconds, {@code -} for a value not known):
 * <pre>
 * HTTP: CLIENT - - [TIME] "METHOD TARGET HTTP/1.x" STATUS BYTES "REFERER" "USER-AGENT" listener=NAME pool=POOL
 *       upstream=HOST:PORT attempts=N ttfb_ms=T total_ms=T request_id=ID outcome=OUTCOME
 * TCP:  CLIENT - - [TIME] "TCP" - BYTES_TO_CLIENT "-" "-" listener=NAME pool=POOL upstream=HOST:PORT
 *       bytes_in=N connect_ms=T total_ms=T outcome=OUTCOME
 * </pre>
 * The first part is Apache's combined format, so existing log tools read it; the key=value tail carries what a
 * balancer adds. TIME is {@code dd/MMM/yyyy:HH:mm:ss.SSS +0000}.
 */
public final class AccessLog implements AutoCloseable {
    /** The logger name used unless another is given. */
    public static final String DEFAULT_LOGGER = "io.jlb.access";
    /** Entries that may wait for the writer thread before new ones are dropped. */
    public static final int DEFAULT_CAPACITY = 65_536;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss.SSS Z", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final Entry STOP = new Entry(0, "", "");

    private final Consumer<String> sink;
    private final BooleanSupplier wanted;
    private final BlockingQueue<Entry> queue;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final Thread writer;
    private volatile boolean closed;

    private record Entry(long epochMillis, String before, String after) {}

    private AccessLog(Consumer<String> sink, BooleanSupplier wanted, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
        }
        this.sink = sink;
        this.wanted = wanted;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::drain, "jlb-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** An access log to {@value #DEFAULT_LOGGER}. Close it when done: it owns one thread. */
    public static AccessLog create() {
        return create(DEFAULT_LOGGER, DEFAULT_CAPACITY);
    }

    /** An access log to the named logger, with room for {@code capacity} entries in flight. */
    public static AccessLog create(String loggerName, int capacity) {
        Logger logger = LoggerFactory.getLogger(Objects.requireNonNull(loggerName, "loggerName"));
        return new AccessLog(logger::info, logger::isInfoEnabled, capacity);
    }

    /**
     * An access log that hands each line to {@code sink} (a file writer, a message queue producer) on its own
     * thread, with room for {@code capacity} lines in flight.
     */
    public static AccessLog to(Consumer<String> sink, int capacity) {
        return new AccessLog(Objects.requireNonNull(sink, "sink"), () -> true, capacity);
    }

    /** Whether entries are wanted now: the logger is enabled at INFO and this log is open. */
    public boolean enabled() {
        return !closed && wanted.getAsBoolean();
    }

    /**
     * Queues one line: {@code before}, the time of {@code epochMillis} in brackets, then {@code after}. Never
     * blocks; a full queue drops the entry and counts it.
     */
    public void log(long epochMillis, String before, String after) {
        if (closed || !queue.offer(new Entry(epochMillis, before, after))) {
            dropped.increment();
        }
    }

    /** Entries dropped because the logger fell behind (or arrived after close). */
    public long dropped() {
        return dropped.sum();
    }

    /** Entries handed to the logger. */
    public long written() {
        return written.sum();
    }

    /** Writes what is queued, then stops the writer thread: waits at most about ten seconds for a stuck sink. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (queue.offer(STOP, 5, TimeUnit.SECONDS)) {
                writer.join(TimeUnit.SECONDS.toMillis(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.interrupt();
    }

    private void drain() {
        StringBuilder line = new StringBuilder(256);
        while (true) {
            Entry e;
            try {
                e = queue.take();
            } catch (InterruptedException ex) {
                return;
            }
            if (e == STOP) {
                return;
            }
            line.setLength(0);
            line.append(e.before).append(" [");
            TIME.formatTo(Instant.ofEpochMilli(e.epochMillis), line);
            line.append("] ").append(e.after);
            try {
                sink.accept(line.toString());
                written.increment();
            } catch (RuntimeException ex) {
                dropped.increment(); // a failing appender must not stop the writer
            }
        }
    }

    /** Appends milliseconds with three decimals from nanoseconds, or {@code -} when negative. */
    public static StringBuilder millis(StringBuilder sb, long nanos) {
        if (nanos < 0) {
            return sb.append('-');
        }
        long micros = nanos / 1000;
        sb.append(micros / 1000).append('.');
        long frac = micros % 1000;
        if (frac < 100) {
            sb.append('0');
        }
        if (frac < 10) {
            sb.append('0');
        }
        return sb.append(frac);
    }

    /** Appends {@code value} for a quoted field: quotes, backslashes and control characters escaped; null as {@code -}. */
    public static StringBuilder quoted(StringBuilder sb, String value) {
        if (value == null) {
            return sb.append('-');
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb;
    }

    /** Appends a bare token (no spaces or quotes) or {@code -}. */
    public static StringBuilder token(StringBuilder sb, String value) {
        if (value == null || value.isEmpty()) {
            return sb.append('-');
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            sb.append(c <= ' ' || c == '"' || c == 0x7f ? '_' : c);
        }
        return sb;
    }
}
