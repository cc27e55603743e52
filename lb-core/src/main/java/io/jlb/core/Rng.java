package io.jlb.core;

import java.util.concurrent.ThreadLocalRandom;

/** The randomness selectors use: thread-local by default, seeded in tests. */
@FunctionalInterface
interface Rng {
    Rng THREAD_LOCAL = bound -> ThreadLocalRandom.current().nextInt(bound);

    /** A uniform int in [0, bound). */
    int nextInt(int bound);
}
