package io.jlb.http.internal.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HPACK against the examples of RFC 7541 Appendix C, and the decoder's refusals. */
class HpackTest {
    private static final int LIMIT = 64 * 1024;

    private static ByteBuffer hex(String h) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(h.replace(" ", "")));
    }

    private static List<String> decode(HpackDecoder d, String block) throws HpackDecoder.Error {
        ByteBuffer b = hex(block);
        List<String> out = new ArrayList<>();
        d.decode(b, 0, b.limit(), LIMIT, (n, v) -> out.add(n + ": " + v));
        return out;
    }

    @Test
    void c2LiteralsAndIndexed() throws Exception {
        assertEquals(List.of("custom-key: custom-header"),
                decode(new HpackDecoder(4096), "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"));
        assertEquals(List.of(":path: /sample/path"),
                decode(new HpackDecoder(4096), "040c 2f73 616d 706c 652f 7061 7468"));
        assertEquals(List.of("password: secret"),
                decode(new HpackDecoder(4096), "1008 7061 7373 776f 7264 0673 6563 7265 74"));
        assertEquals(List.of(":method: GET"), decode(new HpackDecoder(4096), "82"));
    }

    @Test
    void c3RequestsWithoutHuffman() throws Exception {
        HpackDecoder d = new HpackDecoder(4096);
        assertEquals(List.of(":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com"),
                decode(d, "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"));
        assertEquals(57, d.tableSize());
        assertEquals(List.of(":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com",
                "cache-control: no-cache"), decode(d, "8286 84be 5808 6e6f 2d63 6163 6865"));
        assertEquals(110, d.tableSize());
        assertEquals(List.of(":method: GET", ":scheme: https", ":path: /index.html", ":authority: www.example.com",
                "custom-key: custom-value"),
                decode(d, "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"));
        assertEquals(164, d.tableSize());
    }

    @Test
    void c4RequestsWithHuffman() throws Exception {
        HpackDecoder d = new HpackDecoder(4096);
        assertEquals(List.of(":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com"),
                decode(d, "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"));
        assertEquals(List.of(":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com",
                "cache-control: no-cache"), decode(d, "8286 84be 5886 a8eb 1064 9cbf"));
        assertEquals(List.of(":method: GET", ":scheme: https", ":path: /index.html", ":authority: www.example.com",
                "custom-key: custom-value"),
                decode(d, "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"));
        assertEquals(164, d.tableSize());
    }

    @Test
    void c6ResponsesWithHuffmanAndEviction() throws Exception {
        HpackDecoder d = new HpackDecoder(256);
        assertEquals(List.of(":status: 302", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:21 GMT",
                "location: https://www.example.com"),
                decode(d, "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e"
                        + "919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3"));
        assertEquals(222, d.tableSize());
        assertEquals(List.of(":status: 307", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:21 GMT",
                "location: https://www.example.com"), decode(d, "4883 640e ffc1 c0bf"));
        assertEquals(222, d.tableSize());
        assertEquals(List.of(":status: 200", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:22 GMT",
                "location: https://www.example.com", "content-encoding: gzip",
                "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"),
                decode(d, "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7"
                        + "821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed"
                        + "4ee5 b106 3d50 07"));
        assertEquals(215, d.tableSize());
    }

    @Test
    void huffmanCodesOfTheRfc() {
        assertEquals("f1e3c2e5f23a6ba0ab90f4ff", huffman("www.example.com"));
        assertEquals("a8eb10649cbf", huffman("no-cache"));
        assertEquals("25a849e95ba97d7f", huffman("custom-key"));
        assertEquals("25a849e95bb8e8b4bf", huffman("custom-value"));
    }

    private static String huffman(String s) {
        ByteBuffer b = ByteBuffer.allocate(64);
        Huffman.encode(s, b);
        assertEquals(Huffman.encodedLength(s), b.position());
        return HexFormat.of().formatHex(b.array(), 0, b.position());
    }

    @Test
    void refusesAnIndexBeyondTheTables() {
        HpackDecoder.Error e = assertThrows(HpackDecoder.Error.class, () -> decode(new HpackDecoder(4096), "ff00"));
        assertTrue(!e.tooLarge, e.getMessage());
    }

    @Test
    void refusesATableSizeUpdateBeyondTheSetting() {
        assertThrows(HpackDecoder.Error.class, () -> decode(new HpackDecoder(4096), "3fe21f")); // 4096 + 1...
    }

    @Test
    void refusesATruncatedLiteral() {
        assertThrows(HpackDecoder.Error.class, () -> decode(new HpackDecoder(4096), "400a 6375 7374"));
    }

    @Test
    void refusesHuffmanPaddingOfZeros() {
        assertThrows(HpackDecoder.Error.class, () -> decode(new HpackDecoder(4096), "0081 00")); // name "?" + pad 0s
    }

    @Test
    void countsTheDecodedSizeAgainstTheLimitBeforeBuildingIt() {
        // one literal of a 4000-byte value, indexed, then referenced 100 times: 400 KB decoded from ~4 KB
        StringBuilder block = new StringBuilder("40 01 78 7f a1 1e"); // name "x", value length 4000 (127 + 3873)
        block.append("61".repeat(4000));
        block.append(" be".repeat(100));
        ByteBuffer b = hex(block.toString());
        List<String> out = new ArrayList<>();
        HpackDecoder d = new HpackDecoder(4096);
        HpackDecoder.Error e = assertThrows(HpackDecoder.Error.class,
                () -> d.decode(b, 0, b.limit(), 16 * 1024, (n, v) -> out.add(n)));
        assertTrue(e.tooLarge, e.getMessage());
        assertTrue(out.size() <= 4, "fields handed over before the limit tripped: " + out.size());
    }

    @Test
    void encoderOutputDecodesAndShrinksWithTheTable() throws Exception {
        HpackEncoder enc = new HpackEncoder();
        HpackDecoder dec = new HpackDecoder(4096);
        List<String[]> fields = List.of(new String[] {":status", "200"}, new String[] {"content-type", "text/html"},
                new String[] {"x-custom", "some value"}, new String[] {"set-cookie", "a=b"});
        int first = -1;
        for (int round = 0; round < 3; round++) {
            ByteBuffer out = ByteBuffer.allocate(1024);
            enc.begin(out);
            for (String[] f : fields) {
                enc.field(f[0], f[1], out);
            }
            List<String> got = new ArrayList<>();
            dec.decode(out, 0, out.position(), LIMIT, (n, v) -> got.add(n + ": " + v));
            assertEquals(List.of(":status: 200", "content-type: text/html", "x-custom: some value", "set-cookie: a=b"),
                    got);
            if (round == 0) {
                first = out.position();
            } else {
                assertTrue(out.position() < first, "the dynamic table is used: " + out.position() + " vs " + first);
            }
        }
    }
}
