package io.jlb.nio.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where work too heavy for an event loop runs: TLS handshakes' delegated tasks (key exchange, signatures) and
 * password hashes. One thread per processor, daemon, shared by every listener, with a bounded queue; beyond it the
 * work is refused (the handshake fails, the request is answered 503) rather than waiting without bound.
 */
public final class OffLoop {
    private static final int QUEUE = 16_384;
    private static final Executor EXECUTOR = create();

    private OffLoop() {}

    /** The shared executor. */
    public static Executor executor() {
        return EXECUTOR;
    }

    private static Executor create() {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), task -> {
                    Thread t = new Thread(task, "jlb-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
