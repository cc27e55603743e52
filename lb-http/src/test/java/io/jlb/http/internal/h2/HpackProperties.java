package io.jlb.http.internal.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Invariants of HPACK: every header list round-trips, block after block; no input makes the decoder misbehave. */
class HpackProperties {

    @Property(tries = 300)
    void anyHeaderListRoundTrips(@ForAll @Size(min = 1, max = 6) List<@Size(min = 0, max = 12) List<@From("arbitraryField") String[]>> blocks,
            @ForAll @IntRange(min = 0, max = 4096) int peerTable) throws Exception {
        HpackEncoder enc = new HpackEncoder();
        enc.peerTableSize(peerTable);
        HpackDecoder dec = new HpackDecoder(4096);
        for (List<String[]> block : blocks) {
            ByteBuffer out = ByteBuffer.allocate(64 * 1024);
            enc.begin(out);
            for (String[] f : block) {
                enc.field(f[0], f[1], out);
            }
            List<String> got = new ArrayList<>();
            dec.decode(out, 0, out.position(), 1 << 20, (n, v) -> got.add(n + "\0" + v));
            List<String> want = new ArrayList<>();
            block.forEach(f -> want.add(f[0] + "\0" + f[1]));
            assertEquals(want, got);
        }
    }

    @Provide
    Arbitrary<String[]> arbitraryField() {
        Arbitrary<String> names = Arbitraries.oneOf(
                Arbitraries.of(":status", ":path", "content-type", "cookie", "set-cookie", "x-a", "accept", "date"),
                Arbitraries.strings().withCharRange('a', 'z').withChars('-', '0', '9').ofMinLength(1).ofMaxLength(20));
        Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.of("", "200", "text/html", "gzip, deflate"),
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(200),
                Arbitraries.strings().withCharRange((char) 0x80, (char) 0xff).ofMaxLength(30));
        return Combinators.combine(names, values).as((n, v) -> new String[] {n, v});
    }

    @Property(tries = 1000)
    void anyBytesDecodeOrFailCleanly(@ForAll byte[] block) {
        HpackDecoder dec = new HpackDecoder(4096);
        try {
            dec.decode(ByteBuffer.wrap(block), 0, block.length, 16 * 1024, (n, v) -> { });
        } catch (HpackDecoder.Error expected) {
            // a COMPRESSION_ERROR (or 431): the only way to fail
        }
    }

    @Property(tries = 500)
    void huffmanRoundTrips(@ForAll @Size(max = 300) byte[] bytes) {
        String s = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(Huffman.encodedLength(s));
        Huffman.encode(s, b);
        byte[] out = new byte[bytes.length];
        assertEquals(bytes.length, Huffman.decode(b, 0, b.position(), out, 0, out.length));
        assertEquals(s, new String(out, java.nio.charset.StandardCharsets.ISO_8859_1));
    }
}
