package io.jlb.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.Histogram;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PrometheusTest {
    @Property
    void anyLabelValueAndHelpTextSurviveEscaping(@ForAll String value, @ForAll String help) {
        String text = new Prometheus().family("jlb_x", "gauge", help).sample("jlb_x", 3, "pool", value).toString();
        PrometheusText.Family f = PrometheusText.parse(text).get("jlb_x");
        assertEquals(help, f.help());
        assertEquals(3.0, f.value("pool", value));
    }

    @Property
    void histogramBucketsCountEveryValueAtOrBelowTheirBound(
            @ForAll @Size(max = 200) List<@LongRange(min = 0, max = 100_000_000_000L) Long> nanos) {
        Histogram h = new Histogram();
        nanos.forEach(h::record);
        String text = new Prometheus().family("jlb_t_seconds", "histogram", "t").histogram("jlb_t_seconds", h.snapshot(),
                "listener", "a").toString();
        PrometheusText.Family f = PrometheusText.parse(text).get("jlb_t_seconds");
        assertEquals(nanos.size(), f.sample("_count", "listener", "a"));
        for (double bound : Prometheus.BOUNDS) {
            long exact = nanos.stream().filter(v -> v <= bound * 1e9).count();
            double reported = f.sample("_bucket", "listener", "a", "le", PrometheusText.boundText(bound));
            // a bucket edge may fall inside one of the histogram's buckets: the error stays under 1/16 of the bound
            long low = nanos.stream().filter(v -> v <= bound * 1e9 * (1 - 1.0 / 16)).count();
            long high = nanos.stream().filter(v -> v <= bound * 1e9 * (1 + 1.0 / 16)).count();
            assertTrue(reported >= low && reported <= high, "le=" + bound + ": " + reported + " not in [" + low + ", "
                    + high + "], exact " + exact);
        }
        double sumSeconds = nanos.stream().mapToLong(Long::longValue).sum() / 1e9;
        assertEquals(sumSeconds, f.sample("_sum", "listener", "a"), Math.max(1e-9, sumSeconds * 1e-9));
    }

    @Test
    void writesHelpTypeAndSamplesInOrder() {
        String text = new Prometheus().family("jlb_requests_total", "counter", "Requests.\nAll of them.")
                .sample("jlb_requests_total", 5, "listener", "web", "code_class", "2xx")
                .sample("jlb_requests_total", 0.5, "listener", "web\"x\\", "code_class", "5xx").toString();
        assertEquals("""
                # HELP jlb_requests_total Requests.\\nAll of them.
                # TYPE jlb_requests_total counter
                jlb_requests_total{listener="web",code_class="2xx"} 5
                jlb_requests_total{listener="web\\"x\\\\",code_class="5xx"} 0.5
                """, text);
        Map<String, PrometheusText.Family> parsed = PrometheusText.parse(text);
        assertEquals(0.5, parsed.get("jlb_requests_total").value("listener", "web\"x\\", "code_class", "5xx"));
    }

    @Test
    void aFamilyIsDeclaredOnce() {
        Prometheus p = new Prometheus().family("jlb_a", "gauge", "a");
        assertThrows(IllegalStateException.class, () -> p.family("jlb_a", "gauge", "a"));
    }

    @Test
    void theStrictReaderCatchesCommonMistakes() {
        for (String bad : List.of(
                "jlb_a 1\n",
                "# TYPE jlb_a gauge\njlb_a 1",
                "# TYPE jlb_a counter\njlb_a 1\n",
                "# TYPE jlb_a_total counter\njlb_a_total -1\n",
                "# TYPE jlb_a gauge\njlb_a{x=\"1\",x=\"2\"} 1\n",
                "# TYPE jlb_a gauge\njlb_a{x=\"a\\t\"} 1\n",
                "# TYPE jlb_a gauge\njlb_a 1\njlb_a 2\n",
                "# TYPE jlb_a gauge\n# TYPE jlb_b gauge\njlb_a 1\n",
                "# TYPE jlb_h histogram\njlb_h_bucket{le=\"1\"} 2\njlb_h_bucket{le=\"+Inf\"} 1\njlb_h_count 1\n",
                "# TYPE jlb_h histogram\njlb_h_bucket{le=\"1\"} 1\njlb_h_count 1\n",
                "# TYPE jlb_a gauge\njlb_a 1.2.3\n")) {
            assertThrows(AssertionError.class, () -> PrometheusText.parse(bad), bad);
        }
    }
}
