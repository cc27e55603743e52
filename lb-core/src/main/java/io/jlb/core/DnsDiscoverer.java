package io.jlb.core;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one pool's {@link DnsDiscovery}: resolves on the lookup executor (lookups may block), turns the answer into
 * backends and applies the difference to the pool through its ordinary, thread-safe changes. Owns only the members
 * it added; a member of the same name given by hand is left alone.
 */
final class DnsDiscoverer {
    private static final System.Logger LOG = System.getLogger(DnsDiscovery.class.getName());

    private final Pool pool;
    private final DnsDiscovery spec;
    private final Scheduler scheduler;
    private final Executor lookups;
    private final Ticker ticker;
    private final Set<String> owned = new HashSet<>();
    private final Set<String> leaving = new HashSet<>();
    private final CompletableFuture<Void> firstLookup = new CompletableFuture<>();
    private final AtomicLong lookupCount = new AtomicLong();
    private final AtomicLong failureCount = new AtomicLong();
    private volatile String lastError;
    private volatile long lastLookupNanos = -1;
    private volatile boolean running;
    private volatile Scheduler.Cancellable next;

    DnsDiscoverer(Pool pool, DnsDiscovery spec, Scheduler scheduler, Executor lookups, Ticker ticker) {
        this.pool = pool;
        this.spec = spec;
        this.scheduler = scheduler;
        this.lookups = lookups;
        this.ticker = ticker;
    }

    /** Starts resolving now, then every interval; the future completes after the first lookup, failed or not. */
    CompletableFuture<Void> start() {
        running = true;
        submit();
        return firstLookup;
    }

    void stop() {
        running = false;
        Scheduler.Cancellable n = next;
        if (n != null) {
            n.cancel();
        }
        firstLookup.complete(null);
    }

    DnsDiscovery.Status status() {
        int members;
        synchronized (this) {
            members = owned.size();
        }
        return new DnsDiscovery.Status(spec.toString(), lookupCount.get(), failureCount.get(), members, lastError,
                lastLookupNanos);
    }

    private void submit() {
        try {
            lookups.execute(this::lookup);
        } catch (RejectedExecutionException e) {
            firstLookup.complete(null); // shutting down
        }
    }

    private void lookup() {
        if (!running) {
            return;
        }
        try {
            apply(resolve());
            lastError = null;
        } catch (IOException | RuntimeException e) {
            failureCount.incrementAndGet();
            String message = e.getMessage() != null ? e.getMessage() : e.toString();
            if (!message.equals(lastError)) {
                LOG.log(System.Logger.Level.WARNING, "pool ''{0}'': DNS lookup of {1} failed, keeping its {2} "
                        + "member(s): {3}", pool.name(), spec, status().members(), message);
            }
            lastError = message;
        } finally {
            lookupCount.incrementAndGet();
            lastLookupNanos = ticker.read();
            firstLookup.complete(null);
            if (running) {
                next = scheduler.schedule(spec.interval(), this::submit);
            }
        }
    }

    /** The backends the name stands for now, by name. */
    private Map<String, Backend> resolve() throws IOException {
        Map<String, Backend> out = new LinkedHashMap<>();
        DnsResolver resolver = spec.resolver();
        if (spec.kind() == DnsDiscovery.Kind.ADDRESSES) {
            for (InetAddress a : nonEmpty(resolver.addresses(spec.name()), "address")) {
                Backend b = Backend.of(new InetSocketAddress(a, spec.port())).withWeight(spec.weight())
                        .withMetadata("dns", spec.name());
                out.putIfAbsent(b.name(), b);
            }
            return out;
        }
        List<DnsResolver.Srv> records = nonEmpty(resolver.services(spec.name()), "SRV record");
        int primary = records.stream().mapToInt(DnsResolver.Srv::priority).min().orElse(0);
        IOException lastFailure = null;
        for (DnsResolver.Srv r : records) {
            List<InetAddress> addresses;
            try {
                addresses = nonEmpty(resolver.addresses(r.target()), "address for " + r.target());
            } catch (IOException e) {
                lastFailure = e; // one target without addresses does not sink the others
                continue;
            }
            int weight = Math.max(1, Math.min(Backend.MAX_WEIGHT, r.weight()));
            for (InetAddress a : addresses) {
                Backend b = Backend.of(new InetSocketAddress(a, r.port())).withWeight(weight)
                        .withBackup(r.priority() > primary).withMetadata("dns", spec.name())
                        .withMetadata("srv-target", r.target());
                out.putIfAbsent(b.name(), b);
            }
        }
        if (out.isEmpty()) {
            throw lastFailure != null ? lastFailure : new IOException("no usable SRV target for " + spec.name());
        }
        return out;
    }

    private static <T> List<T> nonEmpty(List<T> answer, String what) throws IOException {
        if (answer == null || answer.isEmpty()) {
            throw new IOException("no " + what + " in the answer");
        }
        return answer;
    }

    /** Adds what is new, drains what is gone (removed once idle), undrains what came back, updates weights. */
    private synchronized void apply(Map<String, Backend> wanted) {
        for (Backend b : wanted.values()) {
            Optional<Member> current = pool.member(b.name());
            if (current.isEmpty()) {
                pool.add(b);
                owned.add(b.name());
                leaving.remove(b.name());
                LOG.log(System.Logger.Level.INFO, "pool ''{0}'': {1} added from DNS {2}", pool.name(), b.name(), spec);
                continue;
            }
            if (!owned.contains(b.name())) {
                continue; // given by hand: not ours to change
            }
            if (leaving.remove(b.name())) {
                pool.undrain(b.name());
            }
            Backend was = current.get().backend();
            if (was.weight() != b.weight()) {
                pool.reweight(b.name(), b.weight());
            }
            if (was.backup() != b.backup()) {
                pool.markBackup(b.name(), b.backup());
            }
        }
        for (String name : new ArrayList<>(owned)) {
            if (wanted.containsKey(name) || !leaving.add(name)) {
                continue;
            }
            if (pool.member(name).isEmpty()) {
                owned.remove(name); // removed by someone else meanwhile
                leaving.remove(name);
                continue;
            }
            LOG.log(System.Logger.Level.INFO, "pool ''{0}'': {1} left DNS {2}; draining", pool.name(), name, spec);
            pool.drain(name).thenRunAsync(() -> removeIfStillGone(name), this::runOnLookupThread);
        }
    }

    private void runOnLookupThread(Runnable task) {
        try {
            lookups.execute(task);
        } catch (RejectedExecutionException e) {
            // shutting down: the pool goes with it
        }
    }

    private synchronized void removeIfStillGone(String name) {
        if (leaving.remove(name)) {
            owned.remove(name);
            pool.remove(name);
            LOG.log(System.Logger.Level.INFO, "pool ''{0}'': {1} drained and removed", pool.name(), name);
        }
    }
}
