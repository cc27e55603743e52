package io.jlb.core;

import java.util.List;
import java.util.Locale;

/**
 * A load-balancing algorithm: chooses one of a pool's eligible members for each connection or request.
 *
 * <p>The work is split in two, as in grpc-java's balancer and picker. Whenever the pool changes, its single writer
 * calls {@link #picker(Candidates)} to precompute whatever the algorithm needs (a weighted schedule, a hash ring, a
 * lookup table); the resulting {@link Picker} is immutable and published to readers, whose {@link Picker#pick} does
 * index arithmetic only: no lock, no allocation. State that must survive a rebuild, such as the round-robin
 * position, lives on the selector itself, so <b>a selector instance belongs to one pool</b>: every factory call
 * returns a new one.
 *
 * <pre>{@code
 * Selector leastConnections = Selector.leastConnections();
 * Selector byName = Selector.named("p2c");
 * Selector sticky = Selector.ringHash(1.25); // consistent hashing, no backend above 1.25 × the mean load
 * }</pre>
 *
 * <p>Built-ins, by {@link #named(String) name}:
 * <table>
 * <caption>Built-in selectors</caption>
 * <tr><th>name</th><th>algorithm</th></tr>
 * <tr><td>{@code round-robin}</td><td>each eligible backend in turn, ignoring weights</td></tr>
 * <tr><td>{@code weighted}</td><td>smooth weighted round-robin (nginx's): 5,1,1 gives a,a,b,a,c,a,a</td></tr>
 * <tr><td>{@code least-connections}</td><td>fewest active leases per unit of weight; ties rotate</td></tr>
 * <tr><td>{@code random}</td><td>weighted random</td></tr>
 * <tr><td>{@code p2c}</td><td>the less loaded of two weighted random choices (the default)</td></tr>
 * <tr><td>{@code peak-ewma}</td><td>power of two choices on latency × load (Finagle's)</td></tr>
 * <tr><td>{@code ring-hash}, {@code ip-hash}</td><td>consistent hashing on a ring with virtual nodes</td></tr>
 * <tr><td>{@code maglev}</td><td>Maglev consistent hashing: one table lookup</td></tr>
 * <tr><td>{@code ring-hash-bounded}, {@code maglev-bounded}</td><td>the same with bounded load, factor 1.25</td></tr>
 * </table>
 */
public interface Selector {
    /** The bounded-load factor the {@code -bounded} names use. */
    double DEFAULT_LOAD_FACTOR = 1.25;

    /** This algorithm's name, as {@link #named(String)} accepts it. */
    String name();

    /**
     * Prepares picking among {@code candidates}. Called by the pool's writer, one call at a time, on every change;
     * the picker it returns replaces the previous one for all readers.
     */
    Picker picker(Candidates candidates);

    /** Chooses among one snapshot's candidates. Immutable and safe for concurrent use. */
    @FunctionalInterface
    interface Picker {
        /** The picker of an empty snapshot. */
        Picker NONE = context -> -1;

        /** The index of the chosen candidate, or -1 when there is none. Must not block or allocate. */
        int pick(PickContext context);
    }

    /** Each eligible backend in turn, ignoring weights and slow start (like HAProxy's static algorithms). */
    static Selector roundRobin() {
        return new RoundRobinSelector();
    }

    /** Smooth weighted round-robin: picks in proportion to weight, spread out evenly within each cycle. */
    static Selector weightedRoundRobin() {
        return new SmoothWeightedSelector();
    }

    /** The backend with the fewest active leases per unit of weight; ties are broken at random. */
    static Selector leastConnections() {
        return new LeastConnectionsSelector(Rng.THREAD_LOCAL);
    }

    /** A random backend, in proportion to weight. */
    static Selector random() {
        return new RandomSelector(Rng.THREAD_LOCAL);
    }

    /** Power of two choices: the less loaded (active per weight) of two random backends. */
    static Selector powerOfTwoChoices() {
        return new PowerOfTwoChoicesSelector(Rng.THREAD_LOCAL);
    }

    /** Power of two choices on peak-EWMA latency times (active + 1), fed by {@link Lease#success(long)}. */
    static Selector peakEwma() {
        return new PeakEwmaSelector(Rng.THREAD_LOCAL);
    }

    /** Consistent hashing on a ring with virtual nodes, keyed on {@link PickContext#hash()}. */
    static Selector ringHash() {
        return new RingHashSelector(0, Rng.THREAD_LOCAL);
    }

    /**
     * Consistent hashing with bounded loads: a key goes to the first backend clockwise from its hash whose active
     * count is below {@code loadFactor} × the mean (weighted), so no backend takes more than that.
     */
    static Selector ringHash(double loadFactor) {
        return new RingHashSelector(checkLoadFactor(loadFactor), Rng.THREAD_LOCAL);
    }

    /** Consistent hashing keyed on the client address (or key): the same as {@link #ringHash()}. */
    static Selector ipHash() {
        return new RingHashSelector(0, Rng.THREAD_LOCAL, "ip-hash");
    }

    /** Maglev consistent hashing: a precomputed lookup table, one array read per pick. */
    static Selector maglev() {
        return new MaglevSelector(0, Rng.THREAD_LOCAL);
    }

    /** Maglev with bounded loads (see {@link #ringHash(double)}). */
    static Selector maglev(double loadFactor) {
        return new MaglevSelector(checkLoadFactor(loadFactor), Rng.THREAD_LOCAL);
    }

    /** The selector the builders use unless told otherwise: {@link #powerOfTwoChoices()}. */
    static Selector defaultSelector() {
        return powerOfTwoChoices();
    }

    /** The names {@link #named(String)} accepts. */
    static List<String> names() {
        return List.of("round-robin", "weighted", "least-connections", "random", "p2c", "peak-ewma",
                "ip-hash", "ring-hash", "maglev", "ring-hash-bounded", "maglev-bounded");
    }

    /**
     * A new built-in selector by name (see the table above); a few aliases are accepted too
     * ({@code weighted-round-robin}, {@code leastconn}, {@code power-of-two-choices}, {@code consistent-hash}).
     *
     * @throws IllegalArgumentException naming the unknown name and listing the known ones
     */
    static Selector named(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "round-robin", "roundrobin", "rr" -> roundRobin();
            case "weighted", "weighted-round-robin", "wrr", "smooth-weighted" -> weightedRoundRobin();
            case "least-connections", "leastconn", "least-conn", "least-request" -> leastConnections();
            case "random" -> random();
            case "p2c", "power-of-two-choices", "least-loaded" -> powerOfTwoChoices();
            case "peak-ewma", "ewma" -> peakEwma();
            case "ip-hash", "source" -> ipHash();
            case "ring-hash", "consistent-hash", "ketama" -> ringHash();
            case "maglev" -> maglev();
            case "ring-hash-bounded", "bounded-load" -> ringHash(DEFAULT_LOAD_FACTOR);
            case "maglev-bounded" -> maglev(DEFAULT_LOAD_FACTOR);
            default -> throw new IllegalArgumentException("algorithm: '" + name + "' (expected: one of "
                    + String.join(", ", names()) + ")");
        };
    }

    private static double checkLoadFactor(double loadFactor) {
        if (!(loadFactor > 1.0) || Double.isInfinite(loadFactor)) {
            throw new IllegalArgumentException("loadFactor: " + loadFactor + " (expected: > 1.0, e.g. 1.25)");
        }
        return loadFactor;
    }
}
