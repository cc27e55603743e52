package io.jlb.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AccessLogTest {
    @Test
    void linesCarryTheTimeInBracketsBetweenTheirParts() {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (AccessLog log = AccessLog.to(lines::add, 16)) {
            log.log(1_790_000_000_123L, "10.0.0.1 - -", "\"GET / HTTP/1.1\" 200 5");
            Await.until(Duration.ofSeconds(5), "the line is written", () -> log.written() == 1);
            assertEquals(1, lines.size());
        }
        assertEquals("10.0.0.1 - - [21/Sep/2026:14:13:20.123 +0000] \"GET / HTTP/1.1\" 200 5", lines.get(0));
    }

    @Test
    void aStuckSinkNeverBlocksTheCallerAndDropsAreCounted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> lines = new CopyOnWriteArrayList<>();
        AccessLog log = AccessLog.to(line -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lines.add(line);
        }, 4);
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            log.log(0, "c" + i, "x");
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMillis < 2_000, "1000 entries queued or dropped without waiting: " + tookMillis + " ms");
        // the writer holds one entry and the queue four: everything beyond is dropped, not buffered
        assertTrue(log.dropped() >= 995, "dropped " + log.dropped());
        release.countDown();
        log.close();
        assertEquals(1000, log.dropped() + log.written());
        assertEquals(log.written(), lines.size());
        assertFalse(log.enabled(), "a closed log asks for no entries");
    }

    @Test
    void aFailingSinkDoesNotStopTheWriter() {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (AccessLog log = AccessLog.to(line -> {
            if (line.startsWith("bad")) {
                throw new IllegalStateException("appender broke");
            }
            lines.add(line);
        }, 16)) {
            log.log(0, "bad", "1");
            log.log(0, "good", "2");
            Await.until(Duration.ofSeconds(5), "the good line is written", () -> log.written() == 1);
            assertEquals(1, log.dropped());
            assertEquals(List.of("good [01/Jan/1970:00:00:00.000 +0000] 2"), lines);
        }
    }

    @Test
    void fieldsAreEscapedSoALineStaysOneLine() {
        assertEquals("a\\\"b\\\\c\\x0a", AccessLog.quoted(new StringBuilder(), "a\"b\\c\n").toString());
        assertEquals("-", AccessLog.quoted(new StringBuilder(), null).toString());
        assertEquals("a_b_", AccessLog.token(new StringBuilder(), "a b\"").toString());
        assertEquals("-", AccessLog.token(new StringBuilder(), "").toString());
        assertEquals("1.234", AccessLog.millis(new StringBuilder(), 1_234_567).toString());
        assertEquals("0.005", AccessLog.millis(new StringBuilder(), 5_000).toString());
        assertEquals("-", AccessLog.millis(new StringBuilder(), -1).toString());
    }

    @Test
    void theSlf4jFormWritesThroughTheNamedLogger() {
        try (AccessLog log = AccessLog.create("io.jlb.access.test", 8)) {
            assertTrue(log.enabled(), "slf4j-simple logs INFO by default");
            log.log(0, "127.0.0.1 - -", "\"TCP\" - 0");
            Await.until(Duration.ofSeconds(5), "written", () -> log.written() == 1);
        }
    }
}
