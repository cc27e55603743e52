package io.jlb.nio.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread owning one {@link java.nio.channels.Selector}: every channel registered here is only ever touched by
 * this thread, so the connections it serves need no locks.
 *
 * <p>Each turn: select (with {@code select(Consumer, timeout)}, which makes no garbage) until a channel is ready,
 * a task arrives or the next timer is due; dispatch ready channels to their {@link IoHandler}s; run queued tasks;
 * fire due timers. {@link #execute} from another thread queues the task on a lock-free queue and wakes the selector
 * only when no wakeup is pending already. The loop's clock ({@link #now()}) is read once per turn. A failing handler
 * closes its own connection; the loop survives anything a peer can send.
 */
public final class EventLoop implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);
    private static final int MAX_TASKS_PER_TURN = 4096;

    private final String name;
    private final java.nio.channels.Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final TimerHeap timers = new TimerHeap();
    private final BufferPool buffers;
    /** Fits a TLS record of 16,709 bytes and its 16,704 of plaintext. */
    static final int TLS_BUFFER_SIZE = 17 * 1024;
    private static final int MIN_POOLED_TLS_BUFFERS = 256;
    private BufferPool tlsBuffers;
    private final Consumer<SelectionKey> dispatch = this::dispatch;
    private final java.util.ArrayDeque<Runnable> deferred = new java.util.ArrayDeque<>();
    /** How often the pools give back the buffers a whole interval did not need. */
    private static final long TRIM_INTERVAL_NANOS = 5_000_000_000L;
    private final Timer trimTimer = new Timer(this, this::trimBuffers);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean running = true;
    /** The loop's clock: {@link System#nanoTime()} unless a test gives another. */
    private final java.util.function.LongSupplier clock;
    private long now;
    /** Set before each select: ready keys are dispatched inside select, before the turn's clock is read. */
    private boolean clockStale;
    /** Client connections this loop serves, and those handed to it not yet started: how busy it is. */
    private final java.util.concurrent.atomic.AtomicInteger load = new java.util.concurrent.atomic.AtomicInteger();

    EventLoop(String name, int bufferSize, int minPooledBuffers, java.util.function.LongSupplier clock) throws IOException {
        this.name = name;
        this.clock = clock;
        this.now = clock.getAsLong();
        this.selector = java.nio.channels.Selector.open();
        this.buffers = new BufferPool(bufferSize, minPooledBuffers);
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Client connections this loop serves now (and those on their way to it): what acceptors balance. */
    public int load() {
        return load.get();
    }

    /** Adds {@code delta} to {@link #load()}. Safe from any thread. */
    public void addLoad(int delta) {
        load.addAndGet(delta);
    }

    /** The loop thread's name. */
    public String name() {
        return name;
    }

    /** Runs {@code task} on the loop thread, after what is already queued. Safe from any thread. */
    @Override
    public void execute(Runnable task) {
        tasks.offer(task);
        if (Thread.currentThread() != thread && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /**
     * Runs {@code work} later in this turn, once the ready keys (or the tasks and timers) being handled now are done:
     * for work that many events may ask for and that is best done once, such as writing what they all produced in
     * one system call. Loop thread only; allocates nothing.
     */
    public void defer(Runnable work) {
        deferred.addLast(work);
    }

    private void runDeferred() {
        for (int i = 0; i < MAX_TASKS_PER_TURN; i++) { // work deferred again beyond this waits for the next turn
            Runnable work = deferred.pollFirst();
            if (work == null) {
                return;
            }
            try {
                work.run();
            } catch (Throwable e) {
                LOG.error("event loop {}: deferred work failed", name, e);
            }
        }
    }

    /** Runs {@code work} on the loop and completes with its result. */
    public <T> CompletableFuture<T> submit(Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        execute(() -> {
            try {
                f.complete(work.get());
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** Whether the caller runs on this loop's thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Throws unless the caller runs on this loop's thread. */
    public void assertInLoop() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("not on event loop " + name + ": " + Thread.currentThread().getName());
        }
    }

    /**
     * The loop's clock ({@link System#nanoTime()} unless another was given) as read when this turn's work began
     * (after select returned). Loop thread only.
     */
    public long now() {
        return now;
    }

    /** A new timer that runs {@code action} on this loop when it fires. */
    public Timer timer(Runnable action) {
        return new Timer(this, action);
    }

    /**
     * This loop's TLS record buffers: heap buffers (the JDK's TLS engine works fastest on them) large enough for
     * any record. Loop thread only.
     */
    public BufferPool tlsBuffers() {
        BufferPool p = tlsBuffers;
        if (p == null) {
            tlsBuffers = p = new BufferPool(TLS_BUFFER_SIZE, MIN_POOLED_TLS_BUFFERS, false);
        }
        return p;
    }

    /** This loop's buffers. Loop thread only. */
    public BufferPool buffers() {
        return buffers;
    }

    private void trimBuffers() {
        buffers.trim();
        if (tlsBuffers != null) {
            tlsBuffers.trim();
        }
        trimTimer.schedule(TRIM_INTERVAL_NANOS);
    }

    TimerHeap timers() {
        return timers;
    }

    java.nio.channels.Selector selector() {
        return selector;
    }

    /** Registers {@code channel} with this loop's selector. Loop thread only. */
    public SelectionKey register(SelectableChannel channel, int ops, IoHandler handler) throws ClosedChannelException {
        assertInLoop();
        return channel.register(selector, ops, handler);
    }

    /** Whether the loop is still running. */
    public boolean running() {
        return running;
    }

    private void run() {
        trimTimer.schedule(TRIM_INTERVAL_NANOS);
        try {
            while (running) {
                turn();
            }
        } finally {
            closeChannels();
            terminated.countDown();
        }
    }

    private void turn() {
        try {
            wakeupPending.set(false);
            clockStale = true;
            if (!tasks.isEmpty() || !deferred.isEmpty()) {
                selector.selectNow(dispatch);
            } else {
                long next = timers.nextDeadline();
                if (next == Long.MAX_VALUE) {
                    selector.select(dispatch, 0);
                } else {
                    long waitNanos = next - clock.getAsLong();
                    if (waitNanos <= 0) {
                        selector.selectNow(dispatch);
                    } else {
                        selector.select(dispatch, Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999)));
                    }
                }
            }
        } catch (ClosedSelectorException e) {
            running = false;
            return;
        } catch (IOException | RuntimeException e) {
            LOG.warn("event loop {}: select failed", name, e);
        }
        now = clock.getAsLong();
        clockStale = false;
        runDeferred();
        runTasks();
        runTimers();
        runDeferred();
    }

    private void dispatch(SelectionKey key) {
        if (clockStale) {
            now = clock.getAsLong();
            clockStale = false;
        }
        if (!key.isValid()) {
            return;
        }
        IoHandler handler = (IoHandler) key.attachment();
        try {
            handler.ready(key.readyOps());
        } catch (Throwable e) {
            fail(handler, e);
        }
    }

    private void runTasks() {
        for (int i = 0; i < MAX_TASKS_PER_TURN; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                return;
            }
            try {
                task.run();
            } catch (Throwable e) {
                LOG.error("event loop {}: task failed", name, e);
            }
        }
    }

    private void runTimers() {
        Timer t;
        while ((t = timers.pollDue(now)) != null) {
            try {
                t.action.run();
            } catch (Throwable e) {
                LOG.error("event loop {}: timer failed", name, e);
            }
        }
    }

    private static void fail(IoHandler handler, Throwable e) {
        if (!(e instanceof IOException)) {
            LOG.error("connection handler failed; closing that connection", e);
        }
        try {
            handler.failed(e);
        } catch (Throwable again) {
            LOG.error("connection handler failed while closing", again);
        }
    }

    private void closeChannels() {
        try {
            for (SelectionKey key : selector.keys()) {
                if (!key.isValid()) {
                    continue; // closed already; the selector just has not flushed the cancelled key yet
                }
                Object attachment = key.attachment();
                if (attachment instanceof IoHandler h) {
                    fail(h, new ClosedChannelException());
                }
                try {
                    key.channel().close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            selector.close();
        } catch (IOException | ClosedSelectorException e) {
            LOG.debug("event loop {}: closing selector", name, e);
        }
    }

    /** Stops the loop: registered channels are closed, queued tasks are dropped. */
    void shutdown() {
        running = false;
        selector.wakeup();
    }

    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }
}
