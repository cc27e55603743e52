package io.jlb.examples;

import io.jlb.core.Backend;
import io.jlb.core.Pool;
import java.util.concurrent.CompletableFuture;

/**
 * Changing a pool while it serves traffic: add a backend (it ramps up under slow start, if configured), drain one
 * (no new connections; open ones finish), then remove it once idle. No open connection is cut.
 */
public final class RuntimePoolChanges {
    private RuntimePoolChanges() {}

    /** Replaces {@code old} by {@code replacement} in {@code pool} without dropping a connection. */
    public static CompletableFuture<Void> replace(Pool pool, String old, Backend replacement) {
        pool.add(replacement);
        return pool.drain(old).thenRun(() -> pool.remove(old));
    }
}
