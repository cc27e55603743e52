package io.jlb.examples;

import io.jlb.core.Backend;
import java.time.Duration;
import java.util.Locale;

/** Parses the small values of the command line and configuration: durations, sizes, counts, backends. */
final class Values {
    private Values() {}

    /** {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 0}. */
    static Duration duration(String what, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("0")) {
                return Duration.ZERO;
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            switch (t.charAt(t.length() - 1)) {
                case 's':
                    return Duration.ofSeconds(n);
                case 'm':
                    return Duration.ofMinutes(n);
                case 'h':
                    return Duration.ofHours(n);
                default:
                    break;
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            // fall through to the message
        }
        throw new UsageException(what + ": '" + text + "' (expected: a duration such as 500ms, 5s, 2m, 1h)");
    }

    /** Bytes: {@code 8192}, {@code 64k}, {@code 1m}. */
    static long size(String what, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long multiplier = 1;
        if (t.endsWith("k") || t.endsWith("kb") || t.endsWith("kib")) {
            multiplier = 1024;
            t = t.replaceAll("k(i?b)?$", "");
        } else if (t.endsWith("m") || t.endsWith("mb") || t.endsWith("mib")) {
            multiplier = 1024 * 1024;
            t = t.replaceAll("m(i?b)?$", "");
        } else if (t.endsWith("g") || t.endsWith("gb") || t.endsWith("gib")) {
            multiplier = 1024L * 1024 * 1024;
            t = t.replaceAll("g(i?b)?$", "");
        }
        try {
            long n = Long.parseLong(t);
            if (n >= 0) {
                return n * multiplier;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new UsageException(what + ": '" + text + "' (expected: a size such as 8192, 64k, 1m)");
    }

    /** A whole number within [min, max]. */
    static int integer(String what, String text, int min, int max) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new UsageException(what + ": '" + text + "' (expected: a whole number from " + min + " to " + max + ")");
    }

    /** {@code host:port} or {@code [ipv6]:port}. */
    static Backend address(String what, String text) {
        try {
            return Backend.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(what + ": " + e.getMessage());
        }
    }

    /**
     * A backend spec: {@code host:port[,weight=N][,backup][,name=NAME][,pool=POOL][,zone=Z]}; the pool part is
     * returned separately (null when absent).
     */
    static BackendSpec backendSpec(String what, String text) {
        String[] parts = text.split(",");
        Backend b = address(what, parts[0]);
        String pool = null;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            String key = eq < 0 ? p : p.substring(0, eq);
            String value = eq < 0 ? null : p.substring(eq + 1);
            switch (key) {
                case "backup" -> b = b.withBackup(true);
                case "weight" -> b = b.withWeight(integer(what + " weight", need(what, key, value), 1, Backend.MAX_WEIGHT));
                case "name" -> b = b.withName(need(what, key, value));
                case "pool" -> pool = need(what, key, value);
                case "zone" -> b = b.withMetadata("zone", need(what, key, value));
                default -> throw new UsageException(what + ": unknown option '" + key + "' in '" + text
                        + "' (expected: weight=N, backup, name=NAME, pool=POOL, zone=ZONE)");
            }
        }
        return new BackendSpec(b, pool);
    }

    private static String need(String what, String key, String value) {
        if (value == null || value.isEmpty()) {
            throw new UsageException(what + ": " + key + " needs a value (" + key + "=...)");
        }
        return value;
    }

    /** A backend and the pool it was assigned to on the command line. */
    record BackendSpec(Backend backend, String pool) {}
}
