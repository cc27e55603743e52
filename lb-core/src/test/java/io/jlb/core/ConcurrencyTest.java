package io.jlb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {

    @Test
    void aLeaseClosedFromManyThreadsAtOnceDecrementsExactlyOnce() throws Exception {
        Pool pool = TestPools.pool(Selector.roundRobin(), "10.0.0.1:80");
        Member m = pool.member("10.0.0.1:80").orElseThrow();
        int threads = 4;
        for (int round = 0; round < 500; round++) {
            Lease keep = m.acquire();
            Lease contested = m.acquire();
            CyclicBarrier barrier = new CyclicBarrier(threads);
            List<Thread> closers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    try {
                        barrier.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    contested.close();
                });
                th.start();
                closers.add(th);
            }
            for (Thread th : closers) {
                th.join();
            }
            assertEquals(1, m.active(), "round " + round);
            keep.close();
            assertEquals(0, m.active());
        }
    }

    @Test
    void leasesNeverDriveACountNegativeUnderConcurrentAcquireAndClose() throws Exception {
        for (Selector selector : TestPools.allSelectors(11)) {
            Pool pool = TestPools.pool(selector, TestPools.backends(5));
            int threads = 4;
            AtomicBoolean negative = new AtomicBoolean();
            CountDownLatch done = new CountDownLatch(threads);
            ConcurrentLinkedQueue<Lease> shared = new ConcurrentLinkedQueue<>();
            for (int t = 0; t < threads; t++) {
                new Thread(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    for (int i = 0; i < 20_000; i++) {
                        Lease l = pool.acquire(PickContext.ofKey("k" + (i % 97)));
                        shared.add(l);
                        Lease other = shared.poll();
                        if (other != null) {
                            other.close();
                            if (r.nextBoolean()) {
                                other.close(); // a double close must not count twice
                            }
                        }
                        for (Member m : pool.members()) {
                            if (m.active() < 0) {
                                negative.set(true);
                            }
                        }
                    }
                    done.countDown();
                }).start();
            }
            assertTrue(done.await(60, TimeUnit.SECONDS));
            shared.forEach(Lease::close);
            assertTrue(!negative.get(), selector.name());
            for (Member m : pool.members()) {
                assertEquals(0, m.active(), selector.name() + " " + m);
            }
            assertEquals(0, pool.active());
            assertEquals(80_000, pool.members().stream().mapToLong(Member::total).sum(), selector.name());
        }
    }

    @Test
    void picksRaceSafelyWithAddsRemovesAndDrains() throws Exception {
        for (Selector selector : TestPools.allSelectors(5)) {
            Pool pool = TestPools.pool(selector, TestPools.backends(3));
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            AtomicLong picks = new AtomicLong();
            List<Thread> pickers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                Thread th = new Thread(() -> {
                    try {
                        int i = 0;
                        while (!stop.get()) {
                            try (Lease l = pool.acquire(PickContext.ofKey("c" + (i++ & 1023)))) {
                                if (l.found()) {
                                    picks.incrementAndGet();
                                    l.success(1_000);
                                }
                            }
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                th.start();
                pickers.add(th);
            }
            for (int i = 0; i < 300; i++) {
                Backend b = Backend.of("10.2.0." + (i % 200 + 1), 80 + i);
                pool.add(b);
                if (i % 3 == 0) {
                    pool.drain(b.name());
                }
                if (i % 2 == 0) {
                    pool.markDown(b.name(), "flap");
                }
                if (i > 5) {
                    Backend old = Backend.of("10.2.0." + ((i - 5) % 200 + 1), 80 + i - 5);
                    pool.remove(old.name());
                }
            }
            stop.set(true);
            for (Thread th : pickers) {
                th.join(10_000);
            }
            assertTrue(errors.isEmpty(), () -> selector.name() + ": " + errors.peek());
            assertTrue(picks.get() > 0, selector.name());
            assertEquals(0, pool.active(), selector.name());
            pool.members().forEach(m -> assertEquals(0, m.active()));
        }
    }

    @Test
    void aConnectionLimitHoldsWhileManyThreadsLeaseAtOnce() throws Exception {
        try (LoadBalancer lb = LoadBalancer.builder().pool("p", p -> p.backend("10.0.0.1:80")).build()) {
            Member m = lb.pool("p").members().get(0);
            int limit = 3;
            AtomicLong granted = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            AtomicLong worst = new AtomicLong();
            CyclicBarrier start = new CyclicBarrier(8);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Thread thread = new Thread(() -> {
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    for (int i = 0; i < 20_000; i++) {
                        try (Lease l = m.tryAcquire(limit)) {
                            if (!l.found()) {
                                refused.incrementAndGet();
                                continue;
                            }
                            granted.incrementAndGet();
                            worst.accumulateAndGet(m.active(), Math::max);
                        }
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread t : threads) {
                t.join(30_000);
            }
            assertTrue(worst.get() <= limit, "never more than the limit open: " + worst.get());
            assertEquals(160_000, granted.get() + refused.get());
            assertEquals(granted.get(), m.total(), "only granted leases count as uses");
            assertEquals(0, m.active());
        }
    }
}
