package io.jlb.benchmarks;

import io.jlb.core.Backend;
import io.jlb.core.LoadBalancer;
import io.jlb.core.Lease;
import io.jlb.core.Pick;
import io.jlb.core.PickContext;
import io.jlb.core.Pool;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code Pool.pick} for every built-in selector over 3, 100 and 10,000 backends, with 1 and 2 threads, and with one
 * thread picking while another changes the pool. Keys (client-address hashes) are made in {@code @Setup}; weights
 * vary (1 to 4) so that weighted algorithms do weighted work. Run with {@code -prof gc}: picks must show 0 B/op.
 *
 * <pre>java -jar lb-benchmarks/target/benchmarks.jar SelectorBenchmark -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SelectorBenchmark {
    private static final int KEYS = 1 << 12;

    @Param({"round-robin", "weighted", "least-connections", "random", "p2c", "peak-ewma", "ring-hash", "maglev",
            "ring-hash-bounded", "maglev-bounded"})
    public String algorithm;

    @Param({"3", "100", "10000"})
    public int backends;

    private LoadBalancer lb;
    private Pool pool;
    private PickContext[] keys;
    private String churnName;

    @Setup
    public void setUp() throws Exception {
        lb = LoadBalancer.builder().pool("bench", p -> {
            p.selector(algorithm);
            for (int i = 0; i < backends; i++) {
                p.backend(Backend.of("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255), 8080)
                        .withWeight(1 + i % 4));
            }
        }).build();
        pool = lb.pool("bench");
        keys = new PickContext[KEYS];
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < KEYS; i++) {
            byte[] ip = new byte[4];
            random.nextBytes(ip);
            keys[i] = PickContext.of(java.net.InetAddress.getByAddress(ip));
        }
        // Some load, so that load-aware selectors compare real numbers.
        for (int i = 0; i < backends * 2; i++) {
            pool.acquire(keys[i & (KEYS - 1)]);
        }
        churnName = pool.members().get(0).backend().name();
    }

    @TearDown
    public void tearDown() {
        lb.close();
    }

    /** Each thread walks the key array from its own position. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup(Level.Iteration)
        public void start() {
            next = (int) (Thread.currentThread().getId() * 977);
        }

        PickContext nextKey(PickContext[] keys) {
            return keys[next++ & (KEYS - 1)];
        }
    }

    @Benchmark
    @Threads(1)
    public Pick pick1Thread(Cursor cursor) {
        return pool.pick(cursor.nextKey(keys));
    }

    @Benchmark
    @Threads(2)
    public Pick pick2Threads(Cursor cursor) {
        return pool.pick(cursor.nextKey(keys));
    }

    /** A pick plus its lease: the count a connection or request pays (one small Lease object). */
    @Benchmark
    @Threads(1)
    public void acquireAndClose(Cursor cursor) {
        try (Lease lease = pool.acquire(cursor.nextKey(keys))) {
            lease.success(1_000);
        }
    }

    @Benchmark
    @Group("churn")
    @GroupThreads(1)
    public Pick pickWhilePoolChanges(Cursor cursor) {
        return pool.pick(cursor.nextKey(keys));
    }

    @Benchmark
    @Group("churn")
    @GroupThreads(1)
    public void changePool() {
        if (pool.member(churnName).orElseThrow().draining()) {
            pool.undrain(churnName);
        } else {
            pool.drain(churnName);
        }
    }
}
