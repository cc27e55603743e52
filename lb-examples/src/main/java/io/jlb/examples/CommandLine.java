package io.jlb.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of one subcommand, declared once: parsing ({@code --name value} or {@code --name=value}), the
 * {@code --help} text, and messages that name a mistake ({@code unknown option '--conect-timeout' (did you mean
 * --connect-timeout?)}, a missing value, a required option left out).
 */
final class CommandLine {
    /** One option: {@code valueName} null for a flag. */
    record Option(String name, String valueName, boolean repeatable, boolean required, String help) {
        static Option value(String name, String valueName, String help) {
            return new Option(name, valueName, false, false, help);
        }

        static Option required(String name, String valueName, String help) {
            return new Option(name, valueName, false, true, help);
        }

        static Option repeated(String name, String valueName, String help) {
            return new Option(name, valueName, true, false, help);
        }

        static Option flag(String name, String help) {
            return new Option(name, null, false, false, help);
        }
    }

    private final String command;
    private final Map<String, Option> options = new LinkedHashMap<>();
    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    CommandLine(String command, List<Option> declared) {
        this.command = command;
        for (Option o : declared) {
            options.put(o.name(), o);
        }
    }

    /** Parses {@code args}; {@code --help} is handled by the caller before. */
    CommandLine parse(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Option o = options.get(name);
            if (o == null) {
                String near = nearest(name);
                throw new UsageException("unknown option '--" + name + "'" + (near == null ? "" : " (did you mean --" + near + "?)"));
            }
            if (o.valueName() == null) {
                if (value != null) {
                    throw new UsageException("--" + name + " takes no value");
                }
                value = "true";
            } else if (value == null) {
                if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                    throw new UsageException("--" + name + " needs a value (" + o.valueName() + ")");
                }
                value = args.get(++i);
            }
            List<String> list = values.computeIfAbsent(name, k -> new ArrayList<>());
            if (!o.repeatable() && !list.isEmpty()) {
                throw new UsageException("--" + name + " given twice");
            }
            list.add(value);
        }
        for (Option o : options.values()) {
            if (o.required() && !values.containsKey(o.name())) {
                throw new UsageException("--" + o.name() + " is required");
            }
        }
        return this;
    }

    String get(String name) {
        List<String> v = values.get(name);
        return v == null ? null : v.get(0);
    }

    String get(String name, String fallback) {
        String v = get(name);
        return v == null ? fallback : v;
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }

    List<String> positional() {
        return positional;
    }

    /** The {@code --help} text. */
    String usage(String synopsis, String description) {
        StringBuilder sb = new StringBuilder("Usage: lb ").append(command).append(' ').append(synopsis).append("\n\n")
                .append(description).append("\n\nOptions:\n");
        for (Option o : options.values()) {
            String left = "  --" + o.name() + (o.valueName() == null ? "" : " " + o.valueName());
            sb.append(left);
            sb.append(" ".repeat(Math.max(2, 38 - left.length())));
            sb.append(o.help());
            if (o.required()) {
                sb.append(" (required)");
            } else if (o.repeatable()) {
                sb.append(" (repeatable)");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private String nearest(String typo) {
        String best = null;
        int bestDistance = 4;
        for (String name : options.keySet()) {
            int d = distance(typo, name);
            if (d < bestDistance) {
                bestDistance = d;
                best = name;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
