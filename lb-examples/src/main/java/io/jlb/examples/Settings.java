package io.jlb.examples;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The settings of one thing (a policy, the path rules), as the command line or the file wrote them, read one way:
 * named values, each possibly repeated, and named pairs ({@code CLAIM: HEADER}). An option's spec
 * {@code HEAD,key=value,flag} and a file's mapping {@code {head: HEAD, key: value, flag: true}} give the same
 * settings, so each thing is parsed once, whichever way it was written. Every mistake is a {@link UsageException}
 * naming where it was written.
 */
final class Settings {
    private final String where;
    private final Map<String, List<String>> values;
    private final Map<String, List<String[]>> pairs;
    private final Function<String, String> whereOf;
    private final Function<String, Path> files;

    private Settings(String where, Map<String, List<String>> values, Map<String, List<String[]>> pairs,
            Function<String, String> whereOf, Function<String, Path> files) {
        this.where = where;
        this.values = values;
        this.pairs = pairs;
        this.whereOf = whereOf;
        this.files = files;
    }

    /**
     * Settings written as one spec: {@code HEAD,key=value,key=value,flag}, the head (if any) under {@code headKey};
     * a value {@code A:B} of a key in {@code pairKeys} is a pair. Files are relative to the working directory.
     */
    static Settings spec(String where, String spec, String headKey, Set<String> pairKeys) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        Map<String, List<String[]>> pairs = new LinkedHashMap<>();
        String[] parts = spec.split(",");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].trim();
            int eq = part.indexOf('=');
            if (i == 0 && headKey != null && eq < 0) {
                values.computeIfAbsent(headKey, k -> new ArrayList<>()).add(part);
                continue;
            }
            if (part.isEmpty()) {
                continue;
            }
            String key = eq < 0 ? part : part.substring(0, eq).trim();
            String value = eq < 0 ? "" : part.substring(eq + 1).trim();
            if (pairKeys.contains(key)) {
                pairs.computeIfAbsent(key, k -> new ArrayList<>()).add(pair(where + " " + key, value));
            } else {
                values.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            }
        }
        return new Settings(where, values, pairs, key -> where + " " + key, Path::of);
    }

    /** Settings read from a file: the values and pairs given, places and files as the file's reader says. */
    static Settings of(String where, Map<String, List<String>> values, Map<String, List<String[]>> pairs,
            Function<String, String> whereOf, Function<String, Path> files) {
        return new Settings(where, values, pairs, whereOf, files);
    }

    /**
     * Settings written as lines {@code KEY VALUE} (one option given several times: {@code set NAME: VALUE},
     * {@code remove NAME}); the value of a key in {@code pairKeys} is a pair.
     */
    static Settings lines(String where, List<String> lines, Set<String> pairKeys) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        Map<String, List<String[]>> pairs = new LinkedHashMap<>();
        for (String line : lines) {
            String l = line.trim();
            int space = l.indexOf(' ');
            String key = space < 0 ? l : l.substring(0, space);
            String value = space < 0 ? "" : l.substring(space + 1).trim();
            if (pairKeys.contains(key)) {
                pairs.computeIfAbsent(key, k -> new ArrayList<>()).add(pair(where + " '" + line + "'", value));
            } else {
                values.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            }
        }
        return new Settings(where, values, pairs, key -> where + " " + key, Path::of);
    }

    /** These settings, with files named relative to where {@code files} says. */
    Settings withFiles(Function<String, Path> files) {
        return new Settings(where, values, pairs, whereOf, files);
    }

    /** These settings and {@code key} set to {@code value}. */
    Settings with(String key, String value) {
        Map<String, List<String>> v = new LinkedHashMap<>(values);
        v.put(key, List.of(value));
        return new Settings(where, v, pairs, whereOf, files);
    }

    private static String[] pair(String where, String text) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new UsageException(where + ": '" + text + "' (expected: NAME:VALUE)");
        }
        return new String[] {text.substring(0, colon).trim(), text.substring(colon + 1).trim()};
    }

    /** Where these settings were written, for messages. */
    String where() {
        return where;
    }

    /** Where {@code key} was written, for messages. */
    String whereOf(String key) {
        return whereOf.apply(key);
    }

    /** Refuses any key but {@code allowed}, naming the unknown one and the expected ones. */
    Settings allow(String... allowed) {
        List<String> ok = List.of(allowed);
        for (String key : keys()) {
            if (!ok.contains(key)) {
                throw new UsageException(where + ": unknown option '" + key + "' (expected: "
                        + String.join(", ", new TreeSet<>(ok)) + ")");
            }
        }
        return this;
    }

    /** Every key given. */
    Set<String> keys() {
        Set<String> keys = new TreeSet<>(values.keySet());
        keys.addAll(pairs.keySet());
        return keys;
    }

    boolean has(String key) {
        return values.containsKey(key) || pairs.containsKey(key);
    }

    /** The value of {@code key} (the last, when repeated); null when absent. */
    String text(String key) {
        List<String> v = values.get(key);
        return v == null ? null : v.get(v.size() - 1);
    }

    /** The value of {@code key}, which must be there. */
    String required(String key) {
        String v = text(key);
        if (v == null || v.isEmpty()) {
            throw new UsageException(where + ": '" + key + "' is required");
        }
        return v;
    }

    /** Every value of {@code key}, in order; each may hold several separated by {@code separator} (a regex). */
    List<String> all(String key, String separator) {
        List<String> out = new ArrayList<>();
        for (String v : values.getOrDefault(key, List.of())) {
            for (String part : v.split(separator)) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    /** The pairs given under {@code key} ({@code NAME:VALUE}), in order. */
    List<String[]> pairs(String key) {
        List<String[]> out = new ArrayList<>(pairs.getOrDefault(key, List.of()));
        for (String v : values.getOrDefault(key, List.of())) {
            out.add(pair(whereOf.apply(key), v));
        }
        return out;
    }

    int integer(String key, int min, int max) {
        return Values.integer(whereOf.apply(key), text(key).replace("%", ""), min, max);
    }

    Duration duration(String key) {
        return Values.duration(whereOf.apply(key), text(key));
    }

    long size(String key) {
        return Values.size(whereOf.apply(key), text(key));
    }

    /** {@code true}/{@code false} (also yes/no, on/off). */
    boolean bool(String key) {
        return bool(whereOf.apply(key), text(key));
    }

    /** Whether a flag is set: given without a value, or as true. */
    boolean flag(String key) {
        String v = text(key);
        return v != null && (v.isEmpty() || bool(key));
    }

    /** A file named by {@code key}'s value {@code text}: relative to the file it was written in, or the working directory. */
    Path file(String text) {
        return files.apply(text);
    }

    /** A mistake in the value of {@code key}. */
    UsageException error(String key, String message) {
        return new UsageException((key == null ? where : whereOf.apply(key)) + ": " + message);
    }

    static boolean bool(String where, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new UsageException(where + ": '" + value + "' (expected: true or false)");
        };
    }
}
