package io.jlb.http;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The buckets of one {@link RateLimit}, as GCRA (the generic cell rate algorithm, a token bucket kept as one
 * number): each key holds its theoretical arrival time, the instant its bucket would be full again, moved forward by
 * one emission interval per admitted request with a compare-and-set. No lock is taken; event loops contend only on
 * the same key.
 *
 * <p>Memory is fixed when the limiter is made: an open-addressing table of {@code 2 × maxKeys} slots (rounded up to
 * a power of two), each a 64-bit digest of the key under a per-process random seed and the key's arrival time, 16
 * bytes a slot ({@link #memoryBytes()}). Keys of any length cost the same. A bucket whose arrival time has passed is
 * full, exactly like a key never seen, so its slot may be taken by another key without losing anything. A key that
 * finds no free slot among the few it may probe (every one busy) is counted in one shared overflow bucket with the
 * same limit: a flood of new keys is limited as a whole, never let through unlimited. Two loops racing to reuse one
 * slot may charge a request to the newcomer's bucket: the limit errs on the strict side.
 */
final class RateLimiter {
    private static final int PROBES = 8;
    private static final long SEED = new SecureRandom().nextLong();

    private final RateLimit limit;
    private final long interval; // nanoseconds per token
    private final long capacity;  // burst × interval
    private final int mask;
    private final AtomicLongArray digests;
    private final AtomicLongArray arrivals;
    private final AtomicLong globalBucket = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong overflowBucket = new AtomicLong(Long.MIN_VALUE);
    private final LongAdder rejected = new LongAdder();
    private final LongAdder overflowed = new LongAdder();

    /** The outcome of one check: admitted or not, what is left, and when to come back. */
    record Verdict(boolean admitted, long remaining, long retryAfterNanos, long resetNanos) {}

    RateLimiter(RateLimit limit) {
        this.limit = limit;
        this.interval = limit.per().toNanos() / limit.rate();
        this.capacity = Math.multiplyExact(limit.burst(), interval);
        long keys = limit.key() == RateLimit.Key.GLOBAL ? 1 : limit.key() == RateLimit.Key.ROUTE ? 64 : limit.maxKeys();
        int slots = Integer.highestOneBit((int) Math.min(1 << 30, Math.max(1, 2 * keys - 1))) << 1;
        this.mask = slots - 1;
        this.digests = new AtomicLongArray(slots);
        this.arrivals = new AtomicLongArray(slots);
    }

    RateLimit limit() {
        return limit;
    }

    /** Counts one request for {@code key} at {@code now} (nanoseconds on a monotonic clock). */
    Verdict acquire(String key, long now) {
        if (limit.key() == RateLimit.Key.GLOBAL) {
            return charge(globalBucket, now);
        }
        long digest = digest(key);
        int start = (int) (digest ^ (digest >>> 32)) & mask;
        for (int p = 0; p < PROBES && p <= mask; p++) {
            int slot = (start + p) & mask;
            long d = digests.get(slot);
            if (d == digest) {
                return charge(slot, now);
            }
            long tat = arrivals.get(slot);
            if ((d == 0 || tat <= now) && digests.compareAndSet(slot, d, digest)) {
                arrivals.compareAndSet(slot, tat, Long.MIN_VALUE); // a full bucket: as if never seen
                return charge(slot, now);
            }
        }
        overflowed.increment();
        return charge(overflowBucket, now);
    }

    /** Whether {@code key}'s bucket is empty at {@code now}: the next request would be refused. Charges nothing. */
    boolean exhausted(String key, long now) {
        long digest = digest(key);
        int start = (int) (digest ^ (digest >>> 32)) & mask;
        for (int p = 0; p < PROBES && p <= mask; p++) {
            int slot = (start + p) & mask;
            if (digests.get(slot) == digest) {
                long tat = arrivals.get(slot);
                long begin = tat == Long.MIN_VALUE || tat < now ? now : tat;
                return begin + interval - now > capacity;
            }
        }
        return false;
    }

    private Verdict charge(int slot, long now) {
        while (true) {
            long tat = arrivals.get(slot);
            Verdict v = decide(tat, now);
            if (!v.admitted() || arrivals.compareAndSet(slot, tat, next(tat, now))) {
                return v;
            }
        }
    }

    private Verdict charge(AtomicLong bucket, long now) {
        while (true) {
            long tat = bucket.get();
            Verdict v = decide(tat, now);
            if (!v.admitted() || bucket.compareAndSet(tat, next(tat, now))) {
                return v;
            }
        }
    }

    private long next(long tat, long now) {
        return (tat == Long.MIN_VALUE || tat < now ? now : tat) + interval;
    }

    private Verdict decide(long tat, long now) {
        long ahead = next(tat, now) - now; // how far the bucket is from full after this request
        if (ahead > capacity) {
            rejected.increment();
            return new Verdict(false, 0, ahead - capacity, tat - now);
        }
        return new Verdict(true, (capacity - ahead) / interval, 0, ahead);
    }

    /** A 64-bit digest of {@code key} under the process's seed; never 0 (an empty slot). */
    private static long digest(String key) {
        long h = SEED ^ key.length();
        for (int i = 0; i < key.length(); i++) {
            h = (h ^ key.charAt(i)) * 0x9E3779B97F4A7C15L;
            h ^= h >>> 29;
        }
        h ^= h >>> 32;
        h *= 0xD6E8FEB86659FD93L;
        h ^= h >>> 32;
        return h == 0 ? 1 : h;
    }

    /** Buckets holding a key whose bucket is not full at {@code now}. */
    int size(long now) {
        int n = 0;
        for (int i = 0; i <= mask; i++) {
            if (digests.get(i) != 0 && arrivals.get(i) > now) {
                n++;
            }
        }
        return n;
    }

    /** The bytes the table takes. */
    long memoryBytes() {
        return 16L * (mask + 1);
    }

    /** Requests refused. */
    long rejected() {
        return rejected.sum();
    }

    /** Requests counted in the shared overflow bucket because their key found no free slot. */
    long overflowed() {
        return overflowed.sum();
    }
}
