package io.jlb.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.NoSuchElementException;

/**
 * One use of a backend (a connection or a request) that counts toward its active load until closed.
 *
 * <p>{@link #close()} decrements the backend's active count exactly once, however many times and from whichever
 * threads it is called. Report the outcome with {@link #success(long)} or {@link #failure()} before closing, so that
 * latency-aware selectors and passive failure detection learn from it. {@link #NONE} stands for "no backend".
 *
 * <pre>{@code
 * try (Lease lease = lb.acquire("api", PickContext.of(client))) {
 *     if (!lease.found()) return unavailable();
 *     long start = System.nanoTime();
 *     Response r = call(lease.backend());
 *     if (r.ok()) lease.success(System.nanoTime() - start); else lease.failure();
 * }
 * }</pre>
 */
public final class Lease implements AutoCloseable {
    /** The lease handed out when no backend is eligible; closing it does nothing. */
    public static final Lease NONE = new Lease(null);
    /**
     * The lease handed out when backends are eligible but every one is at the cap asked for (see
     * {@link Pool#acquire(PickContext, Member, int)}); closing it does nothing.
     */
    public static final Lease AT_CAPACITY = new Lease(null);

    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(Lease.class, "closed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Member member;
    @SuppressWarnings("unused") // accessed through CLOSED
    private volatile int closed;

    Lease(Member member) {
        this.member = member;
    }

    /** Whether this lease holds a backend. */
    public boolean found() {
        return member != null;
    }

    /** Whether no backend was leased because every eligible one was at its cap ({@link #AT_CAPACITY}). */
    public boolean atCapacity() {
        return this == AT_CAPACITY;
    }

    /**
     * The leased member.
     *
     * @throws NoSuchElementException for {@link #NONE}
     */
    public Member member() {
        if (member == null) {
            throw new NoSuchElementException("no backend available");
        }
        return member;
    }

    /**
     * The leased backend.
     *
     * @throws NoSuchElementException for {@link #NONE}
     */
    public Backend backend() {
        return member().backend();
    }

    /** Reports a successful use that took {@code latencyNanos}. */
    public void success(long latencyNanos) {
        if (member != null) {
            member.recordSuccess(latencyNanos);
        }
    }

    /** Reports a successful use without a latency sample. */
    public void success() {
        if (member != null) {
            member.recordSuccess();
        }
    }

    /** Reports a failed use (connect refused, timeout, 5xx): feeds passive failure detection. */
    public void failure() {
        if (member != null) {
            member.recordFailure();
        }
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return member == null || (int) CLOSED.getVolatile(this) != 0;
    }

    /** Ends the use: the backend's active count drops by one, exactly once. */
    @Override
    public void close() {
        if (member != null && CLOSED.compareAndSet(this, 0, 1)) {
            member.release();
        }
    }

    @Override
    public String toString() {
        if (member == null) {
            return this == AT_CAPACITY ? "Lease[AT_CAPACITY]" : "Lease[NONE]";
        }
        return "Lease[" + member.backend().name() + (isClosed() ? ", closed]" : "]");
    }
}
