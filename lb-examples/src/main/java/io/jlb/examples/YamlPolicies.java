package io.jlb.examples;

import io.jlb.http.Policies;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The {@code policies} of a listener or route in the file, read through {@link PolicyTable}: a scalar is written as
 * the option would be ({@code rate-limit: 100/s,burst=200}), a mapping names the same settings as keys
 * ({@code rate-limit: {rate: 100/s, burst: 200}}), a list gives several values, a mapping of names to values gives
 * pairs ({@code forward: {sub: X-User}}).
 */
final class YamlPolicies {
    private YamlPolicies() {}

    /** The policies of {@code node}; null when it sets none. */
    static Policies read(YamlNode node, Function<String, Path> files) {
        List<Consumer<Policies.Builder>> steps = new ArrayList<>();
        for (Map.Entry<String, YamlNode> e : node.map(new HashSet<>(PolicyTable.keys())).entrySet()) {
            PolicyTable.Row row = PolicyTable.byKey(e.getKey());
            Consumer<Policies.Builder> step = row.parse(settings(e.getValue(), row, files));
            if (step != null) {
                steps.add(step);
            }
        }
        return steps.isEmpty() ? null : Policies.of(b -> steps.forEach(s -> s.accept(b)));
    }

    /** The settings {@code v} writes for {@code row}'s policy. */
    static Settings settings(YamlNode v, PolicyTable.Row row, Function<String, Path> files) {
        if (v.isScalar() && row.form() == PolicyTable.Form.SPEC) {
            return Settings.spec(v.where(), v.text(), row.head(), row.pairKeys()).withFiles(files);
        }
        if (v.isScalar() || v.isList()) {
            if (row.head() == null) {
                throw v.error("expected a mapping (key: value)");
            }
            return Settings.of(v.where(), Map.of(row.head(), texts(v)), Map.of(), key -> v.where() + " " + key, files);
        }
        return mapping(v, key -> alias(row, key), files);
    }

    /** The settings a mapping writes: each key's value, values (a list), pairs (a mapping) or records. */
    static Settings mapping(YamlNode v, Function<String, String> alias, Function<String, Path> files) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        Map<String, List<String[]>> pairs = new LinkedHashMap<>();
        Map<String, YamlNode> nodes = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> e : v.map(null).entrySet()) {
            String key = alias.apply(e.getKey());
            YamlNode value = e.getValue();
            nodes.put(key, value);
            if (value.isMapping()) {
                List<String[]> list = pairs.computeIfAbsent(key, k -> new ArrayList<>());
                value.map(null).forEach((name, target) -> list.add(new String[] {name, target.text()}));
            } else if (value.isList() && !value.list().isEmpty() && value.list().get(0).isMapping()) {
                values.put(key, records(value));
            } else {
                values.put(key, texts(value));
            }
        }
        return Settings.of(v.where(), values, pairs,
                key -> nodes.containsKey(key) ? nodes.get(key).where() : v.where() + " " + key, files);
    }

    /** The file's structured forms of the JWT keys: {@code keys: [{kid, pem}]}, {@code hmac: [{kid, file}]}. */
    private static String alias(PolicyTable.Row row, String key) {
        if (row.key().equals("auth")) {
            return switch (key) {
                case "keys" -> "key";
                case "hmac" -> "hmac-file";
                default -> key;
            };
        }
        return key;
    }

    /** A list of {@code {kid: K, pem|file: F}} as {@code K=F} values. */
    private static List<String> records(YamlNode list) {
        List<String> out = new ArrayList<>();
        for (YamlNode item : list.list()) {
            Map<String, YamlNode> m = item.map(Set.of("kid", "pem", "file"));
            YamlNode file = m.containsKey("pem") ? m.get("pem") : m.get("file");
            if (file == null) {
                throw item.error("expected {kid: ID, pem: FILE} or {kid: ID, file: FILE}");
            }
            out.add((m.containsKey("kid") ? m.get("kid").text() + "=" : "") + file.text());
        }
        return out;
    }

    private static List<String> texts(YamlNode v) {
        if (v.isScalar()) {
            return List.of(v.text());
        }
        List<String> out = new ArrayList<>();
        for (YamlNode item : v.list()) {
            out.add(item.text());
        }
        return out;
    }
}
