package io.jlb.nio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventLoopTest {
    private final Loops loops = Loops.start("test-loop", 1, 4096);
    private final EventLoop loop = loops.loop(0);

    @AfterEach
    void stop() {
        loops.close();
    }

    @Test
    void runsTasksFromOtherThreadsInOrder() throws Exception {
        List<Integer> order = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1000);
        for (int i = 0; i < 1000; i++) {
            int n = i;
            loop.execute(() -> {
                order.add(n);
                done.countDown();
            });
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, order.get(i));
        }
    }

    @Test
    void timersFireInDeadlineOrderAndCanBeMovedOrCancelled() throws Exception {
        List<String> fired = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(3);
        loop.submit(() -> {
            Timer late = loop.timer(() -> { fired.add("late"); done.countDown(); });
            Timer early = loop.timer(() -> { fired.add("early"); done.countDown(); });
            Timer moved = loop.timer(() -> { fired.add("moved"); done.countDown(); });
            Timer cancelled = loop.timer(() -> fired.add("cancelled"));
            late.schedule(60_000_000L);
            early.schedule(20_000_000L);
            moved.schedule(1_000_000_000L);
            moved.schedule(40_000_000L);
            cancelled.schedule(30_000_000L);
            cancelled.cancel();
            return null;
        }).join();
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("early", "moved", "late"), fired);
    }

    @Test
    void deferredWorkRunsLaterInTheSameTurnAfterWhatAskedForIt() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(() -> {
            loop.defer(() -> order.add("deferred 1"));
            loop.defer(() -> {
                order.add("deferred 2");
                loop.defer(() -> {
                    order.add("deferred from deferred");
                    done.countDown();
                });
            });
            order.add("task");
        });
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("task", "deferred 1", "deferred 2", "deferred from deferred"), order);
    }

    @Test
    void loopOnlyMethodsRefuseOtherThreads() {
        assertThrows(IllegalStateException.class, loop::assertInLoop);
        assertThrows(IllegalStateException.class, () -> loop.timer(() -> { }).schedule(1));
    }

    /** Ready keys are dispatched inside select; their handlers must see the time of the wakeup, not the last turn. */
    @Test
    void theClockIsFreshWhenAHandlerRunsAfterTheLoopSlept() throws Exception {
        CompletableFuture<Long> skew = new CompletableFuture<>();
        Acceptors acceptors = Acceptors.bind(loops, new InetSocketAddress("127.0.0.1", 0), 10,
                (l, channel) -> {
                    skew.complete(System.nanoTime() - l.now());
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // test only
                    }
                }, () -> true);
        try {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300)); // the loop blocks in select meanwhile
            try (Socket s = new Socket()) {
                s.connect(acceptors.address(), 5_000);
                long lag = skew.get(10, TimeUnit.SECONDS);
                assertTrue(lag < TimeUnit.MILLISECONDS.toNanos(100), "loop clock lagged by " + lag / 1_000_000 + " ms");
            }
        } finally {
            acceptors.close().join();
        }
    }
}
