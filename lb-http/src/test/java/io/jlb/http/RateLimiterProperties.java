package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class RateLimiterProperties {
    @Property
    void anyArrivalsAreAdmittedAtMostRateTimesTimePlusBurst(
            @ForAll @IntRange(min = 1, max = 1000) int rate,
            @ForAll @IntRange(min = 1, max = 500) int burst,
            @ForAll @Size(min = 1, max = 2000) List<@LongRange(min = 0, max = 3_000_000_000L) Long> arrivals) {
        RateLimiter limiter = new RateLimiter(RateLimit.perSecond(rate).withBurst(burst).global());
        List<Long> times = new ArrayList<>(arrivals);
        Collections.sort(times);
        long admitted = 0;
        for (long t : times) {
            if (limiter.acquire("", t).admitted()) {
                admitted++;
            }
        }
        double span = (times.get(times.size() - 1) - times.get(0)) / 1e9;
        assertTrue(admitted <= burst + rate * span + 1, admitted + " admitted over " + span + " s");
    }

    /**
     * A client asking at least once per emission interval. (With a burst of 1 a token is wasted whenever the client
     * comes late, as in any token bucket that is full while it waits: that case is left out.)
     */
    @Property
    void aSaturatingClientGetsRateTimesTimePlusBurstWithinOneToken(
            @ForAll @IntRange(min = 1, max = 1000) int rate,
            @ForAll @IntRange(min = 2, max = 500) int burst,
            @ForAll @LongRange(min = 1_000_000, max = 5_000_000_000L) long span,
            @ForAll @IntRange(min = 1, max = 50) int requestsPerInterval) {
        RateLimiter limiter = new RateLimiter(RateLimit.perSecond(rate).withBurst(burst).global());
        long step = Math.max(1, 1_000_000_000L / rate / requestsPerInterval);
        long admitted = 0;
        for (int i = 0; i < burst; i++) { // the opening burst
            if (limiter.acquire("", 0).admitted()) {
                admitted++;
            }
        }
        for (long t = step; t <= span; t += step) {
            if (limiter.acquire("", t).admitted()) {
                admitted++;
            }
        }
        double expected = burst + rate * (span / 1e9);
        assertTrue(Math.abs(admitted - expected) <= 1 + rate * (step / 1e9), admitted + " vs " + expected);
    }

    @Example
    void keysHaveTheirOwnBucketsAndARefusalSaysWhenToComeBack() {
        RateLimiter limiter = new RateLimiter(RateLimit.of(2, Duration.ofSeconds(1)).withBurst(2));
        assertTrue(limiter.acquire("a", 0).admitted());
        RateLimiter.Verdict second = limiter.acquire("a", 0);
        assertTrue(second.admitted());
        assertEquals(0, second.remaining());
        RateLimiter.Verdict refused = limiter.acquire("a", 0);
        assertFalse(refused.admitted());
        assertEquals(500_000_000L, refused.retryAfterNanos(), "one token comes back every half second");
        assertTrue(limiter.acquire("b", 0).admitted(), "another key is not affected");
        assertTrue(limiter.acquire("a", 500_000_000L).admitted());
        assertEquals(1, limiter.rejected());
    }

    @Example
    void keysBeyondTheTableShareOneLimitedBucketInsteadOfGoingUnlimited() {
        RateLimiter limiter = new RateLimiter(RateLimit.perSecond(10).withBurst(1).withMaxKeys(4));
        assertEquals(16 * 8, limiter.memoryBytes(), "8 slots of 16 bytes, whatever the keys");
        int admitted = 0;
        for (int i = 0; i < 1000; i++) {
            if (limiter.acquire("flood-" + i + "-" + "x".repeat(i % 50), 0).admitted()) {
                admitted++;
            }
        }
        assertTrue(admitted <= 8 + 1, "at most one per slot and one for the shared bucket: " + admitted);
        assertTrue(limiter.overflowed() > 0);
        long later = 1_000_000_000L; // every bucket is full again: their slots may be taken
        assertTrue(limiter.acquire("new", later).admitted());
        assertFalse(limiter.acquire("new", later).admitted(), "the newcomer has a bucket of its own");
    }

    @Example
    void anExhaustedKeyIsSeenWithoutBeingCharged() {
        RateLimiter limiter = new RateLimiter(RateLimit.perSecond(1).withBurst(2));
        assertFalse(limiter.exhausted("a", 0));
        limiter.acquire("a", 0);
        assertFalse(limiter.exhausted("a", 0));
        limiter.acquire("a", 0);
        assertTrue(limiter.exhausted("a", 0));
        assertTrue(limiter.exhausted("a", 10));
        assertFalse(limiter.exhausted("a", 1_000_000_000L), "a token came back");
        assertFalse(limiter.exhausted("b", 0));
    }
}
