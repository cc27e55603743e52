package io.jlb.http.internal;

import io.jlb.core.Histogram;
import java.util.HashSet;
import java.util.Set;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): each family once with its HELP and TYPE, then its
 * samples; label values escaped; histograms in seconds from nanosecond {@link Histogram}s, with cumulative
 * {@code le} buckets, {@code _sum} and {@code _count}.
 */
public final class Prometheus {
    /** Histogram bucket bounds, in seconds. */
    static final double[] BOUNDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
        1, 2.5, 5, 10, 30, 60};

    private final StringBuilder out = new StringBuilder(32 * 1024);
    private final Set<String> families = new HashSet<>();

    /** A writer. */
    public Prometheus() {}

    /** Starts a family; {@code type} is counter, gauge or histogram. A family is declared once. */
    public Prometheus family(String name, String type, String help) {
        if (!families.add(name)) {
            throw new IllegalStateException("metric family " + name + " declared twice");
        }
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** One sample: {@code labels} are name, value pairs. */
    public Prometheus sample(String name, double value, String... labels) {
        out.append(name);
        labels(labels, null);
        out.append(' ');
        number(value);
        out.append('\n');
        return this;
    }

    /** The samples of one histogram (the family declared as {@code histogram}), nanoseconds shown in seconds. */
    public Prometheus histogram(String name, Histogram.Snapshot s, String... labels) {
        for (double bound : BOUNDS) {
            out.append(name).append("_bucket");
            labels(labels, format(bound));
            out.append(' ').append(s.countAtMost((long) (bound * 1e9))).append('\n');
        }
        out.append(name).append("_bucket");
        labels(labels, "+Inf");
        out.append(' ').append(s.count()).append('\n');
        out.append(name).append("_sum");
        labels(labels, null);
        out.append(' ');
        number(s.sum() / 1e9);
        out.append('\n');
        out.append(name).append("_count");
        labels(labels, null);
        out.append(' ').append(s.count()).append('\n');
        return this;
    }

    private void labels(String[] labels, String le) {
        if (labels.length == 0 && le == null) {
            return;
        }
        out.append('{');
        for (int i = 0; i < labels.length; i += 2) {
            if (i > 0) {
                out.append(',');
            }
            out.append(labels[i]).append("=\"");
            escape(labels[i + 1]);
            out.append('"');
        }
        if (le != null) {
            if (labels.length > 0) {
                out.append(',');
            }
            out.append("le=\"").append(le).append('"');
        }
        out.append('}');
    }

    private void escape(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    private void number(double v) {
        if (Double.isNaN(v)) {
            out.append("NaN");
        } else if (Double.isInfinite(v)) {
            out.append(v > 0 ? "+Inf" : "-Inf");
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            out.append((long) v);
        } else {
            out.append(v);
        }
    }

    private static String format(double bound) {
        return java.math.BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
