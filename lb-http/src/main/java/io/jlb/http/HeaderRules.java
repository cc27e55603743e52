package io.jlb.http;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Header fields to remove, set and add on requests (to the backend) or responses (to the client). Values may use
 * request data: {@code {client_ip}}, {@code {host}}, {@code {path}}, {@code {method}}, {@code {scheme}},
 * {@code {request_id}}, and on responses {@code {backend}} (the backend's name). {@code set} replaces any field of
 * that name; {@code add} appends one more; {@code remove} drops every field of that name. Immutable.
 *
 * <pre>{@code
 * HeaderRules.builder().set("X-Env", "prod").add("X-Client", "{client_ip}").remove("X-Debug").build()
 * }</pre>
 */
public final class HeaderRules {
    /** No changes. */
    public static final HeaderRules NONE = new HeaderRules(List.of(), List.of());

    /** The variables a template may use. */
    static final Set<String> VARIABLES = Set.of("client_ip", "host", "path", "method", "scheme", "request_id", "backend");

    private final List<String> removed;
    private final List<Field> added;

    /** One field to write: its name and value template. */
    record Field(String name, Template value) {}

    private HeaderRules(List<String> removed, List<Field> added) {
        this.removed = List.copyOf(removed);
        this.added = List.copyOf(added);
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether there is nothing to do. */
    public boolean isEmpty() {
        return removed.isEmpty() && added.isEmpty();
    }

    /** Lower-case names of the fields dropped from what arrived (removed or set). */
    List<String> removed() {
        return removed;
    }

    /** The fields written after the others, in order. */
    List<Field> added() {
        return added;
    }

    /** Whether a value uses {@code variable}. */
    boolean uses(String variable) {
        return added.stream().anyMatch(f -> f.value().uses(variable));
    }

    @Override
    public String toString() {
        return "remove " + removed + ", write " + added.stream().map(f -> f.name() + ": " + f.value()).toList();
    }

    /** Collects rules in order. */
    public static final class Builder {
        private final Set<String> removed = new LinkedHashSet<>();
        private final List<Field> added = new ArrayList<>();

        private Builder() {}

        /** Replaces every field named {@code name} with one of value {@code template}. */
        public Builder set(String name, String template) {
            String n = checkName(name);
            removed.add(n.toLowerCase(Locale.ROOT));
            added.removeIf(f -> f.name().equalsIgnoreCase(n));
            added.add(new Field(n, Template.parse(template)));
            return this;
        }

        /** Adds a field named {@code name} with value {@code template}, keeping those that arrived. */
        public Builder add(String name, String template) {
            added.add(new Field(checkName(name), Template.parse(template)));
            return this;
        }

        /** Removes every field named {@code name}. */
        public Builder remove(String name) {
            String n = checkName(name).toLowerCase(Locale.ROOT);
            removed.add(n);
            added.removeIf(f -> f.name().equalsIgnoreCase(n));
            return this;
        }

        public HeaderRules build() {
            return new HeaderRules(new ArrayList<>(removed), added);
        }
    }

    static String checkName(String name) {
        Objects.requireNonNull(name, "header name");
        if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
            throw new IllegalArgumentException("header name: '" + name + "' (expected: a token such as X-Env)");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (Set.of("content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer",
                "keep-alive", "proxy-connection").contains(lower)) {
            throw new IllegalArgumentException("header " + name + " frames the message and is the proxy's to manage");
        }
        return name;
    }

    /** A value with {@code {variables}}: literal runs and variable names, alternating. */
    static final class Template {
        private final String source;
        private final String[] parts; // even indexes: literals; odd: variable names

        private Template(String source, String[] parts) {
            this.source = source;
            this.parts = parts;
        }

        static Template parse(String template) {
            Objects.requireNonNull(template, "header value");
            if (template.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                throw new IllegalArgumentException("header value '" + template + "': control character");
            }
            List<String> parts = new ArrayList<>();
            StringBuilder literal = new StringBuilder();
            int i = 0;
            while (i < template.length()) {
                char c = template.charAt(i);
                if (c == '{') {
                    int close = template.indexOf('}', i);
                    String name = close < 0 ? "" : template.substring(i + 1, close);
                    if (!VARIABLES.contains(name)) {
                        throw new IllegalArgumentException("header value '" + template + "': unknown variable {" + name
                                + "} (expected: " + String.join(", ", new java.util.TreeSet<>(VARIABLES)) + ")");
                    }
                    parts.add(literal.toString());
                    parts.add(name);
                    literal.setLength(0);
                    i = close + 1;
                } else {
                    literal.append(c);
                    i++;
                }
            }
            parts.add(literal.toString());
            return new Template(template, parts.toArray(new String[0]));
        }

        boolean uses(String variable) {
            for (int i = 1; i < parts.length; i += 2) {
                if (parts[i].equals(variable)) {
                    return true;
                }
            }
            return false;
        }

        boolean constant() {
            return parts.length == 1;
        }

        /** Appends the value, variables looked up through {@code values}. */
        void appendTo(StringBuilder out, Variables values) {
            for (int i = 0; i < parts.length; i++) {
                if (i % 2 == 0) {
                    out.append(parts[i]);
                } else {
                    String v = values.value(parts[i]);
                    out.append(v == null ? "" : v);
                }
            }
        }

        @Override
        public String toString() {
            return source;
        }
    }

    /** Where template variables come from. */
    @FunctionalInterface
    interface Variables {
        String value(String name);
    }
}
