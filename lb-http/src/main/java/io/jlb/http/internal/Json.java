package io.jlb.http.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON for the admin endpoints, without a dependency: a writer that escapes strings, and a strict reader
 * (RFC 8259) whose objects become {@code Map}s, arrays {@code List}s, numbers {@code Long} or {@code Double}.
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
     * Reads a JSON object.
     *
     * @throws IllegalArgumentException naming what is wrong and where
     */
    public static Map<String, Object> readObject(String text) {
        if (read(text) instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Object> object = (Map<String, Object>) m;
            return object;
        }
        throw new IllegalArgumentException("expected a JSON object");
    }

    /**
     * Reads any JSON value: String, Long, Double, Boolean, null, {@code List} or {@code Map}.
     *
     * @throws IllegalArgumentException naming what is wrong and where
     */
    public static Object read(String text) {
        Reader r = new Reader(text);
        r.skipSpace();
        Object v = r.value(0);
        r.skipSpace();
        if (r.pos != text.length()) {
            throw new IllegalArgumentException("unexpected text after the value at " + r.pos);
        }
        return v;
    }

    private static final class Reader {
        private final String s;
        private int pos;

        Reader(String s) {
            this.s = s;
        }

        private static final int MAX_DEPTH = 64;

        Map<String, Object> object(int depth) {
            expect('{');
            Map<String, Object> m = new LinkedHashMap<>();
            skipSpace();
            if (peek() == '}') {
                pos++;
                return m;
            }
            while (true) {
                skipSpace();
                int at = pos;
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                if (m.containsKey(key)) {
                    throw new IllegalArgumentException("duplicate key '" + key + "' at " + at);
                }
                m.put(key, value(depth + 1));
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

        List<Object> array(int depth) {
            expect('[');
            List<Object> list = new ArrayList<>();
            skipSpace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                skipSpace();
                list.add(value(depth + 1));
                skipSpace();
                char c = next();
                if (c == ']') {
                    return list;
                }
                if (c != ',') {
                    throw new IllegalArgumentException("expected ',' or ']' at " + (pos - 1));
                }
            }
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH + " at " + pos);
            }
            char c = peek();
            if (c == '"') {
                return string();
            }
            if (c == '{') {
                return object(depth);
            }
            if (c == '[') {
                return array(depth);
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
            return number();
        }

        private Object number() {
            int start = pos;
            if (pos < s.length() && s.charAt(pos) == '-') {
                pos++;
            }
            int intStart = pos;
            digits();
            if (pos == intStart || s.charAt(intStart) == '0' && pos - intStart > 1) {
                throw new IllegalArgumentException("expected a value at " + start);
            }
            boolean fraction = false;
            if (pos < s.length() && s.charAt(pos) == '.') {
                pos++;
                fraction = true;
                requireDigits(start);
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                pos++;
                fraction = true;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                requireDigits(start);
            }
            String number = s.substring(start, pos);
            try {
                return fraction ? (Object) Double.parseDouble(number) : (Object) Long.parseLong(number);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("number out of range '" + number + "' at " + start);
            }
        }

        private void digits() {
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
        }

        private void requireDigits(int start) {
            int from = pos;
            digits();
            if (pos == from) {
                throw new IllegalArgumentException("bad number at " + start);
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
                        case '"', '\\', '/' -> sb.append(e);
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case 'r' -> sb.append('\r');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'u' -> sb.append(hex4());
                        default -> throw new IllegalArgumentException("bad escape '\\" + e + "' at " + (pos - 2));
                    }
                } else if (c < 0x20) {
                    throw new IllegalArgumentException("unescaped control character in a string at " + (pos - 1));
                } else {
                    sb.append(c);
                }
            }
        }

        private char hex4() {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(next(), 16);
                if (d < 0) {
                    throw new IllegalArgumentException("bad \\u escape at " + (pos - 1));
                }
                v = v << 4 | d;
            }
            return (char) v;
        }

        void skipSpace() {
            while (pos < s.length() && " \t\n\r".indexOf(s.charAt(pos)) >= 0) {
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
