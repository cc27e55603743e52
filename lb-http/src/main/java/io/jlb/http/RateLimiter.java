package io.jlb.http;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The buckets of one {@link RateLimit}, as GCRA (the generic cell rate algorithm, a token bucket kept as one
 * number): each key holds its theoretical arrival time, the instant its bucket would be full again, moved forward
 * by one emission interval per admitted request with a compare-and-set. No lock is taken; event loops contend only
 * on the same key.
 *
 * <p>A bucket whose arrival time has passed is full, exactly like a key never seen, so dropping it loses nothing:
 * when the map outgrows {@code maxKeys}, a sweep drops those. Should every kept bucket be busy, a new key is
 * admitted without a bucket (and counted in {@link #untracked()}) rather than refused.
 */
final class RateLimiter {
    private final RateLimit limit;
    private final long interval; // nanoseconds per token
    private final long capacity;  // burst × interval
    private final ConcurrentHashMap<String, AtomicLong> buckets = new ConcurrentHashMap<>();
    private final AtomicLong globalBucket = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong nextSweep = new AtomicLong();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder untracked = new LongAdder();

    /** The outcome of one check: admitted or not, what is left, and when to come back. */
    record Verdict(boolean admitted, long remaining, long retryAfterNanos, long resetNanos) {}

    RateLimiter(RateLimit limit) {
        this.limit = limit;
        this.interval = limit.per().toNanos() / limit.rate();
        this.capacity = Math.multiplyExact(limit.burst(), interval);
    }

    RateLimit limit() {
        return limit;
    }

    /** Counts one request for {@code key} at {@code now} (nanoseconds on a monotonic clock). */
    Verdict acquire(String key, long now) {
        AtomicLong bucket = limit.key() == RateLimit.Key.GLOBAL ? globalBucket : bucket(key, now);
        if (bucket == null) {
            untracked.increment();
            return new Verdict(true, limit.burst() - 1, 0, interval);
        }
        while (true) {
            long tat = bucket.get();
            long start = tat == Long.MIN_VALUE || tat < now ? now : tat;
            long next = start + interval;
            long ahead = next - now; // how far the bucket is from full after this request
            if (ahead > capacity) {
                rejected.increment();
                long retry = ahead - capacity;
                return new Verdict(false, 0, retry, tat - now);
            }
            if (bucket.compareAndSet(tat, next)) {
                return new Verdict(true, (capacity - ahead) / interval, 0, ahead);
            }
        }
    }

    private AtomicLong bucket(String key, long now) {
        AtomicLong b = buckets.get(key);
        if (b != null) {
            return b;
        }
        if (buckets.size() >= limit.maxKeys()) {
            sweep(now);
            if (buckets.size() >= limit.maxKeys()) {
                return null;
            }
        }
        return buckets.computeIfAbsent(key, k -> new AtomicLong(Long.MIN_VALUE));
    }

    /** Drops full buckets; at most once per emission interval, by one thread. */
    private void sweep(long now) {
        long due = nextSweep.get();
        if (now < due || !nextSweep.compareAndSet(due, now + Math.max(interval, 1_000_000))) {
            return;
        }
        for (Iterator<AtomicLong> it = buckets.values().iterator(); it.hasNext();) {
            long tat = it.next().get();
            if (tat != Long.MIN_VALUE && tat <= now) {
                it.remove();
            }
        }
    }

    /** Buckets kept now. */
    int size() {
        return buckets.size();
    }

    /** Requests refused. */
    long rejected() {
        return rejected.sum();
    }

    /** Requests admitted without a bucket because every kept bucket was busy. */
    long untracked() {
        return untracked.sum();
    }
}
