package io.jlb.nio.internal;

/**
 * What a channel registered on an {@link EventLoop} is attached to: told when its channel is ready. Runs on the
 * loop thread. An exception it throws closes that connection only, through {@link #failed(Throwable)}.
 */
public interface IoHandler {
    /** The channel is ready for the operations in {@code readyOps}. */
    void ready(int readyOps);

    /** {@link #ready} threw: release whatever the handler holds. Must not throw. */
    void failed(Throwable error);
}
