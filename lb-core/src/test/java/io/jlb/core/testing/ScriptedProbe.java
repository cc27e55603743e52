package io.jlb.core.testing;

import io.jlb.core.Backend;
import io.jlb.core.HealthProbe;
import io.jlb.core.ProbeResult;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A health probe whose answers a test scripts per backend: a queue of results, then a standing answer
 * ({@link #standing}); {@link #hang(String)} makes probes of a backend never answer, to exercise timeouts.
 */
public final class ScriptedProbe implements HealthProbe {
    private final Map<String, Deque<ProbeResult>> scripts = new ConcurrentHashMap<>();
    private final Map<String, ProbeResult> standing = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, Boolean> hanging = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Queues results for the next probes of {@code backendName}. */
    public ScriptedProbe then(String backendName, ProbeResult... results) {
        Deque<ProbeResult> q = scripts.computeIfAbsent(backendName, k -> new ArrayDeque<>());
        synchronized (q) {
            for (ProbeResult r : results) {
                q.add(r);
            }
        }
        return this;
    }

    /** The answer once the queue for {@code backendName} is empty (up, unless set). */
    public ScriptedProbe standing(String backendName, ProbeResult result) {
        standing.put(backendName, result);
        hanging.remove(backendName);
        return this;
    }

    /** Probes of {@code backendName} never complete from now on. */
    public ScriptedProbe hang(String backendName) {
        hanging.put(backendName, true);
        return this;
    }

    /** How many probes of {@code backendName} were started. */
    public int calls(String backendName) {
        AtomicInteger c = calls.get(backendName);
        return c == null ? 0 : c.get();
    }

    /** Whether {@link #close()} was called. */
    public boolean closed() {
        return closed;
    }

    @Override
    public CompletionStage<ProbeResult> probe(Backend backend, Duration timeout) {
        String name = backend.name();
        calls.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        if (hanging.containsKey(name)) {
            return new CompletableFuture<>();
        }
        Deque<ProbeResult> q = scripts.get(name);
        ProbeResult next = null;
        if (q != null) {
            synchronized (q) {
                next = q.poll();
            }
        }
        if (next == null) {
            next = standing.getOrDefault(name, ProbeResult.up("scripted up"));
        }
        return CompletableFuture.completedFuture(next);
    }

    @Override
    public String describe() {
        return "scripted";
    }

    @Override
    public void close() {
        closed = true;
    }
}
