package io.jlb.core;

import java.util.concurrent.ThreadLocalRandom;

/** The randomness selectors use: thread-local by default, seeded in tests. */
@FunctionalInterface
interface Rng {
    Rng THREAD_LOCAL = () -> ThreadLocalRandom.current().nextLong();

    /** 64 uniform random bits. */
    long nextLong();

    /** A uniform int in [0, bound), by Lemire's multiply-shift of the high 32 bits. */
    default int nextInt(int bound) {
        return (int) (((nextLong() >>> 32) * bound) >>> 32);
    }
}
