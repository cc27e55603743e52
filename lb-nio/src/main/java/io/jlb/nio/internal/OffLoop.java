package io.jlb.nio.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where work too heavy for an event loop runs, in two pools so that one kind cannot queue the other out: TLS
 * handshakes' delegated tasks (key exchange, signatures), and checks such as password hashes. Daemon threads shared
 * by every listener, each pool with a bounded queue; beyond it the work is refused (the handshake fails, the request
 * is answered 503) rather than waiting without bound.
 */
public final class OffLoop {
    private static final int PROCESSORS = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static final Executor HANDSHAKES = create("jlb-tls-", PROCESSORS, 16_384);
    private static final Executor CHECKS = create("jlb-check-", Math.max(1, PROCESSORS / 2), 1_024);

    private OffLoop() {}

    /** For TLS handshake tasks: one thread per processor. */
    public static Executor handshakes() {
        return HANDSHAKES;
    }

    /** For slow request checks (a password hash): half the processors, so handshakes keep the rest. */
    public static Executor checks() {
        return CHECKS;
    }

    private static Executor create(String prefix, int threads, int queue) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queue), task -> {
                    Thread t = new Thread(task, prefix + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
