package io.jlb.http.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Just enough JSON for the admin endpoints, without a dependency: a writer that escapes strings, and a reader of
 * flat objects whose values are strings, numbers, booleans or null.
 */
public final class Json {
    private final StringBuilder out = new StringBuilder(256);
    private boolean needComma;

    /** A writer. */
    public Json() {}

    public Json beginObject() {
        comma();
        out.append('{');
        needComma = false;
        return this;
    }

    public Json endObject() {
        out.append('}');
        needComma = true;
        return this;
    }

    public Json beginArray() {
        comma();
        out.append('[');
        needComma = false;
        return this;
    }

    public Json endArray() {
        out.append(']');
        needComma = true;
        return this;
    }

    /** A key; the next value belongs to it. */
    public Json key(String name) {
        comma();
        string(name);
        out.append(':');
        needComma = false;
        return this;
    }

    public Json value(String s) {
        comma();
        if (s == null) {
            out.append("null");
        } else {
            string(s);
        }
        needComma = true;
        return this;
    }

    public Json value(long n) {
        comma();
        out.append(n);
        needComma = true;
        return this;
    }

    public Json value(double d) {
        comma();
        if (Double.isFinite(d)) {
            out.append(Math.round(d * 1000) / 1000.0);
        } else {
            out.append("null");
        }
        needComma = true;
        return this;
    }

    public Json value(boolean b) {
        comma();
        out.append(b);
        needComma = true;
        return this;
    }

    public Json field(String name, String v) {
        return key(name).value(v);
    }

    public Json field(String name, long v) {
        return key(name).value(v);
    }

    public Json field(String name, double v) {
        return key(name).value(v);
    }

    public Json field(String name, boolean v) {
        return key(name).value(v);
    }

    private void comma() {
        if (needComma) {
            out.append(',');
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }

    /**
     * Reads a flat JSON object: values become String, Long, Double, Boolean or null.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Map<String, Object> readObject(String text) {
        Reader r = new Reader(text);
        Map<String, Object> m = r.object();
        r.skipSpace();
        if (r.pos != text.length()) {
            throw new IllegalArgumentException("unexpected text after the object at " + r.pos);
        }
        return m;
    }

    private static final class Reader {
        private final String s;
        private int pos;

        Reader(String s) {
            this.s = s;
        }

        Map<String, Object> object() {
            skipSpace();
            expect('{');
            Map<String, Object> m = new LinkedHashMap<>();
            skipSpace();
            if (peek() == '}') {
                pos++;
                return m;
            }
            while (true) {
                skipSpace();
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                m.put(key, value());
                skipSpace();
                char c = next();
                if (c == '}') {
                    return m;
                }
                if (c != ',') {
                    throw new IllegalArgumentException("expected ',' or '}' at " + (pos - 1));
                }
            }
        }

        Object value() {
            char c = peek();
            if (c == '"') {
                return string();
            }
            if (s.startsWith("true", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (s.startsWith("null", pos)) {
                pos += 4;
                return null;
            }
            int start = pos;
            while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
            String number = s.substring(start, pos);
            if (number.isEmpty()) {
                throw new IllegalArgumentException("expected a value at " + start);
            }
            try {
                return number.contains(".") || number.contains("e") || number.contains("E")
                        ? (Object) Double.parseDouble(number) : (Object) Long.parseLong(number);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad number '" + number + "' at " + start);
            }
        }

        String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return sb.toString();
                }
                if (c == '\\') {
                    char e = next();
                    switch (e) {
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case 'r' -> sb.append('\r');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'u' -> {
                            if (pos + 4 > s.length()) {
                                throw new IllegalArgumentException("bad escape at " + pos);
                            }
                            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                            pos += 4;
                        }
                        default -> sb.append(e);
                    }
                } else {
                    sb.append(c);
                }
            }
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        char peek() {
            if (pos >= s.length()) {
                throw new IllegalArgumentException("unexpected end of JSON");
            }
            return s.charAt(pos);
        }

        char next() {
            char c = peek();
            pos++;
            return c;
        }

        void expect(char c) {
            if (next() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + (pos - 1));
            }
        }
    }
}
