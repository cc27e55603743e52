package io.jlb.core;

import io.jlb.core.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Builds pools straight from their package-private constructor, on a manual clock. */
final class TestPools {
    private TestPools() {}

    static Pool pool(Selector selector, String... hostPorts) {
        return pool(selector, new ManualClock(), hostPorts);
    }

    static Pool pool(Selector selector, ManualClock clock, String... hostPorts) {
        List<Backend> backends = new ArrayList<>();
        for (String hp : hostPorts) {
            backends.add(Backend.parse(hp));
        }
        return new Pool("test", selector, clock, clock, Duration.ZERO, OutlierDetection.disabled(), 0, backends);
    }

    static Pool pool(Selector selector, List<Backend> backends) {
        ManualClock clock = new ManualClock();
        return new Pool("test", selector, clock, clock, Duration.ZERO, OutlierDetection.disabled(), 0, backends);
    }

    /** n backends 10.0.0.1:80 ... with the given weights (all 1 when {@code weights} is empty). */
    static List<Backend> backends(int n, int... weights) {
        List<Backend> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Backend b = Backend.of("10.0." + (i / 250) + "." + (i % 250 + 1), 80);
            list.add(weights.length > 0 ? b.withWeight(weights[i]) : b);
        }
        return list;
    }

    /** A fresh instance of every built-in selector, seeded where random. */
    static List<Selector> allSelectors(long seed) {
        Random r = new Random(seed);
        Rng rng = r::nextLong;
        return List.of(new RoundRobinSelector(), new SmoothWeightedSelector(), new LeastConnectionsSelector(rng),
                new RandomSelector(rng), new PowerOfTwoChoicesSelector(rng), new PeakEwmaSelector(rng),
                new RingHashSelector(0, rng), new RingHashSelector(1.25, rng), new MaglevSelector(0, rng),
                new MaglevSelector(1.25, rng));
    }

    static String name(Pick pick) {
        return pick.found() ? pick.backend().name() : "-";
    }
}
