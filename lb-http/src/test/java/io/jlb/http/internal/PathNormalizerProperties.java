package io.jlb.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class PathNormalizerProperties {
    private static final PathNormalizer STRICT = new PathNormalizer(true, PathNormalizer.REJECT, PathNormalizer.REJECT);

    /** The normalized path, the path itself when unchanged, or null when refused. */
    static String normalize(PathNormalizer n, String path) {
        byte[] bytes = path.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(bytes.length + 1).put(bytes);
        if (!n.normalize(b, 0, bytes.length)) {
            return null;
        }
        return n.changed() ? n.text() : bytes.length == 0 ? "/" : path;
    }

    /** Paths made of the pieces that matter: slashes, dots, encodings of them, backslashes, letters. */
    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> piece = Arbitraries.of("/", "//", ".", "..", "%2e", "%2E", "%2f", "%5c", "\\", "a", "B", "%61",
                "%7e", "~", "%41", "%c3%a9", "%25", "-", "_", ";", "=", "%zz", "%0", "%00", "#");
        return piece.list().ofMaxSize(12).map(parts -> "/" + String.join("", parts));
    }

    @Property(tries = 3000)
    void theResultIsAFixedPoint(@ForAll("paths") String path, @ForAll boolean merge, @ForAll("actions") int slash,
            @ForAll("actions") int backslash) {
        PathNormalizer n = new PathNormalizer(merge, slash, backslash);
        String once = normalize(n, path);
        if (once == null) {
            return;
        }
        assertEquals(once, normalize(n, once), "normalizing " + path + " again changes " + once);
    }

    @Property(tries = 3000)
    void theResultHasNoDotSegmentsNoEncodedUnreservedAndStartsWithASlash(@ForAll("paths") String path,
            @ForAll("actions") int slash, @ForAll("actions") int backslash) {
        String out = normalize(new PathNormalizer(true, slash, backslash), path);
        if (out == null) {
            return;
        }
        assertTrue(out.startsWith("/"), out);
        assertFalse(out.contains("//"), out);
        for (String segment : out.split("/")) {
            assertFalse(segment.equals(".") || segment.equals(".."), out);
        }
        assertFalse(out.matches("(?i).*%(2e|41|61|7e|5f|2d|3[0-9]).*"), "an unreserved character left encoded: " + out);
        assertFalse(out.contains("\\") || out.contains("#"), out);
        assertFalse(out.matches(".*%[0-9A-F]?[a-f].*"), "lower-case hex: " + out);
    }

    @Property(tries = 2000)
    void garbageIsRefusedOrNormalizedNeverAnException(@ForAll byte[] garbage) {
        ByteBuffer b = ByteBuffer.allocate(garbage.length + 2).put((byte) '/').put(garbage);
        STRICT.normalize(b, 0, garbage.length + 1);
    }

    @Provide
    Arbitrary<Integer> actions() {
        return Arbitraries.of(PathNormalizer.REJECT, PathNormalizer.KEEP, PathNormalizer.DECODE);
    }

    @Example
    void examples() {
        assertEquals("/admin/secret", normalize(STRICT, "/%61dmin/./x/../secret"));
        assertEquals("/a/", normalize(STRICT, "/a/b/.."));
        assertEquals("/", normalize(STRICT, "/../.."));
        assertEquals("/", normalize(STRICT, ""));
        assertEquals("/plain/path.html", normalize(STRICT, "/plain/path.html"));
        assertEquals("/%C3%A9", normalize(STRICT, "/%c3%a9"));
        assertEquals(null, normalize(STRICT, "/a%2Fb"));
        assertEquals(null, normalize(STRICT, "/a\\b"));
        assertEquals(null, normalize(STRICT, "/a%00"));
        assertEquals(null, normalize(STRICT, "/a#frag"));
        assertEquals("/a%2Fb", normalize(new PathNormalizer(true, PathNormalizer.KEEP, PathNormalizer.REJECT), "/a%2fb"));
        assertEquals("/b", normalize(new PathNormalizer(true, PathNormalizer.DECODE, PathNormalizer.REJECT), "/a%2f..%2fb"));
        assertEquals("/a//b", normalize(new PathNormalizer(false, PathNormalizer.REJECT, PathNormalizer.REJECT), "/a//b"));
        assertEquals("/a/b", normalize(new PathNormalizer(false, PathNormalizer.REJECT, PathNormalizer.REJECT), "/a//../b"));
    }
}
