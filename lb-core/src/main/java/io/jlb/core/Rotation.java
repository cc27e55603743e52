package io.jlb.core;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The rotation position of round-robin selectors, shared by every picker the selector builds so that a pool
 * change does not restart it. Each thread claims {@link #BLOCK} consecutive positions at a time from the shared
 * counter and uses them in order: one thread sees the exact global rotation, and concurrent threads touch the
 * contended counter once per block instead of once per pick, each still walking a fair rotation.
 */
final class Rotation {
    static final int BLOCK = 32;

    private final AtomicLong shared = new AtomicLong();
    private final ThreadLocal<long[]> claimed = ThreadLocal.withInitial(() -> new long[2]);

    /** The next position: non-negative, increasing per thread. */
    long next() {
        long[] block = claimed.get();
        if (block[0] == block[1]) {
            long start = shared.getAndAdd(BLOCK);
            block[0] = start;
            block[1] = start + BLOCK;
        }
        return block[0]++ & Long.MAX_VALUE;
    }
}
