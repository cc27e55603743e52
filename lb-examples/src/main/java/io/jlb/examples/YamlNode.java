package io.jlb.examples;

import io.jlb.core.Backend;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/** A YAML node with its key path, answering typed questions or errors naming file, line and path. */
final class YamlNode {
    final Node node;
    final String path;
    private final String file;

    YamlNode(Node node, String path, String file) {
        this.node = node;
        this.path = path;
        this.file = file;
    }

    /** The document {@code text}, its mistakes reported as in {@code label}. */
    static YamlNode parse(String label, String text) {
        try (Reader reader = new StringReader(text)) {
            LoadSettings settings = LoadSettings.builder().setLabel(label).setAllowDuplicateKeys(false).build();
            Composer composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, reader)));
            Optional<Node> node = composer.getSingleNode();
            if (node.isEmpty()) {
                throw new UsageException(label + ": empty configuration (expected: pools and listeners)");
            }
            return new YamlNode(node.get(), "", label);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            throw new UsageException(label + ":" + line + ": not valid YAML: " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new UsageException(label + ": not valid YAML: " + e.getMessage());
        } catch (IOException e) {
            throw new UsageException(label + ": " + e.getMessage());
        }
    }

    int line() {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    UsageException error(String message) {
        return new UsageException(file + ":" + line() + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    /** {@code FILE:LINE: PATH}: where the node was written, for messages. */
    String where() {
        return file + ":" + line() + (path.isEmpty() ? "" : ": " + path);
    }

    boolean isScalar() {
        return node instanceof ScalarNode;
    }

    boolean isList() {
        return node instanceof SequenceNode;
    }

    boolean isMapping() {
        return node instanceof MappingNode;
    }

    /** The entries of a mapping; with {@code allowed}, an unknown key is an error listing the allowed ones. */
    Map<String, YamlNode> map(Set<String> allowed) {
        if (!(node instanceof MappingNode mapping)) {
            throw error("expected a mapping (key: value)");
        }
        Map<String, YamlNode> out = new LinkedHashMap<>();
        for (NodeTuple t : mapping.getValue()) {
            YamlNode keyNode = new YamlNode(t.getKeyNode(), path, file);
            String key = keyNode.text();
            if (allowed != null && !allowed.contains(key)) {
                throw keyNode.error("unknown key '" + key + "' (expected: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
            if (out.put(key, new YamlNode(t.getValueNode(), path.isEmpty() ? key : path + "." + key, file)) != null) {
                throw keyNode.error("duplicate key '" + key + "'");
            }
        }
        return out;
    }

    List<YamlNode> list() {
        if (!(node instanceof SequenceNode seq)) {
            throw error("expected a list");
        }
        List<YamlNode> out = new ArrayList<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            out.add(new YamlNode(seq.getValue().get(i), path + "[" + i + "]", file));
        }
        return out;
    }

    String text() {
        if (!(node instanceof ScalarNode s)) {
            throw error("expected a single value");
        }
        return s.getValue();
    }

    int integer(int min, int max) {
        try {
            return Values.integer("value", text(), min, max);
        } catch (UsageException e) {
            throw error(text() + " (expected: a whole number from " + min + " to " + max + ")");
        }
    }

    boolean bool() {
        return switch (text().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error("'" + text() + "' (expected: true or false)");
        };
    }

    Duration duration() {
        try {
            return Values.duration("value", text());
        } catch (UsageException e) {
            throw error("'" + text() + "' (expected: a duration such as 500ms, 5s, 2m, 1h)");
        }
    }

    long size() {
        try {
            return Values.size("value", text());
        } catch (UsageException e) {
            throw error("'" + text() + "' (expected: a size such as 8192, 64k, 1m)");
        }
    }

    Backend address() {
        try {
            return Backend.parse(text());
        } catch (IllegalArgumentException e) {
            throw error("bad address: " + e.getMessage());
        }
    }
}
