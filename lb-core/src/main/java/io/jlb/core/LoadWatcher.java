package io.jlb.core;

/** Hears that a member's active count changed. Runs on the lease holder's thread: must be cheap and lock-free. */
@FunctionalInterface
interface LoadWatcher {
    LoadWatcher NONE = () -> { };

    void loadChanged();
}
