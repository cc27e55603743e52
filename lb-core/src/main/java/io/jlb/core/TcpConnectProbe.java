package io.jlb.core;

import java.io.IOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Passes when the backend accepts a TCP connection, which is then closed at once. Connects asynchronously on one
 * daemon thread of its own, started on first use and stopped by {@link #close()}.
 */
final class TcpConnectProbe implements HealthProbe {
    private AsynchronousChannelGroup group; // guarded by this
    private boolean closed; // guarded by this

    @Override
    public CompletionStage<ProbeResult> probe(Backend backend, Duration timeout) {
        CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        AsynchronousSocketChannel channel;
        try {
            channel = AsynchronousSocketChannel.open(group());
        } catch (IOException | IllegalStateException e) {
            result.complete(ProbeResult.down("tcp probe unavailable: " + e.getMessage()));
            return result;
        }
        long start = System.nanoTime();
        result.whenComplete((r, e) -> closeQuietly(channel)); // also when the checker cancels on timeout
        try {
            channel.connect(backend.address(), null, new CompletionHandler<Void, Void>() {
                @Override
                public void completed(Void ignored, Void attachment) {
                    double ms = (System.nanoTime() - start) / 1e6;
                    result.complete(ProbeResult.up(String.format(Locale.ROOT, "tcp connect in %.1f ms", ms)));
                }

                @Override
                public void failed(Throwable e, Void attachment) {
                    result.complete(ProbeResult.down("tcp connect failed: " + describe(e)));
                }
            });
        } catch (RuntimeException e) { // unresolved address, closed group
            result.complete(ProbeResult.down("tcp connect failed: " + describe(e)));
        }
        return result;
    }

    private synchronized AsynchronousChannelGroup group() throws IOException {
        if (closed) {
            throw new IllegalStateException("probe closed");
        }
        if (group == null) {
            group = AsynchronousChannelGroup.withFixedThreadPool(1, runnable -> {
                Thread t = new Thread(runnable, "jlb-tcp-probe");
                t.setDaemon(true);
                return t;
            });
        }
        return group;
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private static void closeQuietly(AsynchronousSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do: the probe is over
        }
    }

    @Override
    public String describe() {
        return "tcp";
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (group != null) {
            try {
                group.shutdownNow();
                group.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (IOException e) {
                // shutting down: nothing more to do
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            group = null;
        }
    }
}
