package io.jlb.core;

/**
 * Hears membership and state changes of a {@link Pool}. Called on the pool's writer thread, in order, after the new
 * snapshot is published; must return quickly and must not block. An exception it throws is logged and ignored.
 */
@FunctionalInterface
public interface PoolListener {
    /** Called once per change. */
    void onEvent(PoolEvent event);
}
