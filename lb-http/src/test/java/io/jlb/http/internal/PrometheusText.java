package io.jlb.http.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: it fails on anything a scraper could
 * misread. Each family's HELP and TYPE come once, before its samples, and its samples are contiguous; names and
 * label names are valid, label values escaped, no label repeats, no series repeats; counters end in {@code _total}
 * and are finite and non-negative; a histogram's buckets have ascending {@code le} bounds ending in {@code +Inf}, do
 * not decrease, and the {@code +Inf} bucket equals {@code _count}.
 */
public final class PrometheusText {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    /** One metric family. */
    public record Family(String name, String type, String help, List<Sample> samples) {
        /** The value of the one sample with these labels (and this suffix, for histograms). */
        public double sample(String suffix, String... labels) {
            Map<String, String> want = new TreeMap<>();
            for (int i = 0; i < labels.length; i += 2) {
                want.put(labels[i], labels[i + 1]);
            }
            return samples.stream().filter(s -> s.name.equals(name + suffix) && s.labels.equals(want))
                    .mapToDouble(Sample::value).reduce((a, b) -> {
                        throw new AssertionError("two samples " + want);
                    }).orElseThrow(() -> new AssertionError(name + suffix + " has no sample " + want + " in " + samples));
        }

        /** The value of the one sample with these labels. */
        public double value(String... labels) {
            return sample("", labels);
        }

        /** The sum of the values of samples named {@code name + suffix}. */
        public double sum(String suffix) {
            return samples.stream().filter(s -> s.name.equals(name + suffix)).mapToDouble(Sample::value).sum();
        }
    }

    private PrometheusText() {}

    /**
     * Parses an exposition.
     *
     * @throws AssertionError naming the line that breaks the format
     */
    public static Map<String, Family> parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new AssertionError("the exposition must end with a line feed");
        }
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> helps = new LinkedHashMap<>();
        Set<String> closed = new HashSet<>();
        Set<String> series = new HashSet<>();
        Family current = null;
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length - 1; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + ": " + line;
            if (line.isEmpty()) {
                throw new AssertionError(where + ": empty line");
            }
            if (line.startsWith("# HELP ")) {
                String[] parts = line.substring(7).split(" ", 2);
                name(parts[0], where);
                if (helps.put(parts[0], parts.length > 1 ? unescapeHelp(parts[1], where) : "") != null) {
                    throw new AssertionError(where + ": second HELP for " + parts[0]);
                }
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ");
                if (parts.length != 2) {
                    throw new AssertionError(where + ": expected '# TYPE name type'");
                }
                name(parts[0], where);
                if (!List.of("counter", "gauge", "histogram", "summary", "untyped").contains(parts[1])) {
                    throw new AssertionError(where + ": unknown type " + parts[1]);
                }
                if (families.containsKey(parts[0])) {
                    throw new AssertionError(where + ": second TYPE for " + parts[0]);
                }
                if (parts[1].equals("counter") && !parts[0].endsWith("_total")) {
                    throw new AssertionError(where + ": a counter's name ends in _total");
                }
                if (current != null) {
                    closed.add(current.name);
                }
                current = new Family(parts[0], parts[1], helps.getOrDefault(parts[0], ""), new ArrayList<>());
                families.put(parts[0], current);
                continue;
            }
            if (line.startsWith("#")) {
                throw new AssertionError(where + ": a comment that is neither HELP nor TYPE");
            }
            Sample s = sample(line, where);
            Family family = familyOf(s.name, families);
            if (family == null) {
                throw new AssertionError(where + ": a sample before its family's TYPE");
            }
            if (family != current || closed.contains(family.name)) {
                throw new AssertionError(where + ": samples of " + family.name + " are not contiguous");
            }
            if (!series.add(s.name + s.labels)) {
                throw new AssertionError(where + ": the same series twice");
            }
            if (family.type.equals("counter") && (!(s.value >= 0) || Double.isInfinite(s.value))) {
                throw new AssertionError(where + ": a counter is finite and not negative");
            }
            family.samples.add(s);
        }
        for (String help : helps.keySet()) {
            if (!families.containsKey(help)) {
                throw new AssertionError("HELP without TYPE for " + help);
            }
        }
        families.values().stream().filter(f -> f.type.equals("histogram")).forEach(PrometheusText::checkHistogram);
        return families;
    }

    private static Family familyOf(String sample, Map<String, Family> families) {
        Family f = families.get(sample);
        if (f != null && !f.type.equals("histogram")) {
            return f;
        }
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (sample.endsWith(suffix)) {
                Family h = families.get(sample.substring(0, sample.length() - suffix.length()));
                if (h != null && h.type.equals("histogram")) {
                    return h;
                }
            }
        }
        return null;
    }

    private static void checkHistogram(Family f) {
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        for (Sample s : f.samples) {
            if (s.name.endsWith("_bucket")) {
                if (!s.labels.containsKey("le")) {
                    throw new AssertionError(f.name + ": a bucket without le " + s);
                }
                Map<String, String> key = new TreeMap<>(s.labels);
                key.remove("le");
                buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
            } else if (s.name.endsWith("_count")) {
                counts.put(s.labels, s.value);
            } else if (s.labels.containsKey("le")) {
                throw new AssertionError(f.name + ": le on a non-bucket sample " + s);
            }
        }
        if (!buckets.keySet().equals(counts.keySet())) {
            throw new AssertionError(f.name + ": buckets and counts cover different series");
        }
        buckets.forEach((labels, list) -> {
            double lastBound = Double.NEGATIVE_INFINITY;
            double lastCount = 0;
            for (Sample b : list) {
                double bound = number(b.labels.get("le"), f.name);
                if (!(bound > lastBound)) {
                    throw new AssertionError(f.name + labels + ": le bounds do not ascend at " + b.labels.get("le"));
                }
                if (b.value < lastCount) {
                    throw new AssertionError(f.name + labels + ": bucket counts decrease at le=" + b.labels.get("le"));
                }
                lastBound = bound;
                lastCount = b.value;
            }
            if (lastBound != Double.POSITIVE_INFINITY) {
                throw new AssertionError(f.name + labels + ": no +Inf bucket");
            }
            if (lastCount != counts.get(labels)) {
                throw new AssertionError(f.name + labels + ": +Inf bucket " + lastCount + " != _count " + counts.get(labels));
            }
        });
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        name(name, where);
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                if (eq < 0) {
                    throw new AssertionError(where + ": a label without '='");
                }
                String label = line.substring(i, eq);
                if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
                    throw new AssertionError(where + ": bad label name '" + label + "'");
                }
                if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                    throw new AssertionError(where + ": a label value is quoted");
                }
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; ; j++) {
                    if (j >= line.length()) {
                        throw new AssertionError(where + ": unterminated label value");
                    }
                    char c = line.charAt(j);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        char e = line.charAt(++j);
                        switch (e) {
                            case '\\', '"' -> value.append(e);
                            case 'n' -> value.append('\n');
                            default -> throw new AssertionError(where + ": bad escape \\" + e);
                        }
                    } else {
                        value.append(c);
                    }
                }
                if (labels.put(label, value.toString()) != null) {
                    throw new AssertionError(where + ": label " + label + " twice");
                }
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                } else if (line.charAt(i) != '}') {
                    throw new AssertionError(where + ": expected ',' or '}' after a label");
                }
            }
            i++;
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new AssertionError(where + ": expected one space before the value");
        }
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length > 2 || rest[0].isEmpty()) {
            throw new AssertionError(where + ": expected 'value [timestamp]'");
        }
        if (rest.length == 2) {
            try {
                Long.parseLong(rest[1]);
            } catch (NumberFormatException e) {
                throw new AssertionError(where + ": bad timestamp");
            }
        }
        return new Sample(name, labels, number(rest[0], where));
    }

    private static double number(String text, String where) {
        switch (text) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                if (!text.matches("-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                    throw new AssertionError(where + ": bad number '" + text + "'");
                }
                return Double.parseDouble(text);
        }
    }

    /** The text of an {@code le} bound as the writer prints it. */
    static String boundText(double bound) {
        return java.math.BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
    }

    private static void name(String name, String where) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new AssertionError(where + ": bad metric name '" + name + "'");
        }
    }

    private static String unescapeHelp(String help, String where) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            if (c == '\\') {
                char e = help.charAt(++i);
                switch (e) {
                    case '\\' -> sb.append('\\');
                    case 'n' -> sb.append('\n');
                    default -> throw new AssertionError(where + ": bad escape in HELP \\" + e);
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
