package io.jlb.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
    @Property
    void anyStringSurvivesWritingAndReading(@ForAll String key, @ForAll String value, @ForAll long n, @ForAll boolean b) {
        String text = new Json().beginObject().field(key.isEmpty() ? "k" : key, value).field(key + "#n", n)
                .field(key + "#b", b).endObject().toString();
        Map<String, Object> read = Json.readObject(text);
        assertEquals(value, read.get(key.isEmpty() ? "k" : key));
        assertEquals(n, read.get(key + "#n"));
        assertEquals(b, read.get(key + "#b"));
    }

    @Test
    void readsNestedValues() {
        Object v = Json.read(" {\"a\": [1, -2.5e3, \"x\\u00e9\\/\", null, true, {\"b\": []}], \"c\": {}} ");
        assertEquals(Map.of("a", java.util.Arrays.asList(1L, -2500.0, "xé/", null, true, Map.of("b", List.of())),
                "c", Map.of()), v);
    }

    @Test
    void writesArraysAndObjectsWithCommas() {
        String text = new Json().beginObject().key("list").beginArray().value(1).value("two").beginObject()
                .field("x", 1.5).endObject().endArray().field("last", (String) null).endObject().toString();
        assertEquals("{\"list\":[1,\"two\",{\"x\":1.5}],\"last\":null}", text);
        assertTrue(Json.read(text) instanceof Map);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "01", "1.", "-", "1e", "\"\\x\"",
        "\"\\u12G4\"", "\"a\nb\"", "{\"a\":1}x", "{\"a\":1,\"a\":2}", "tru", "{'a':1}", "9223372036854775808"})
    void rejectsMalformedJson(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.read(text));
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }

    @Test
    void refusesDeepNesting() {
        String deep = "[".repeat(100) + "]".repeat(100);
        assertThrows(IllegalArgumentException.class, () -> Json.read(deep));
    }
}
