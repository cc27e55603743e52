package io.jlb.nio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ProxyHeaderProperties {
    @Property
    void everyHeaderReadsBackAsWrittenAndEveryPrefixAsksForMore(
            @ForAll @IntRange(min = 1, max = 2) int version, @ForAll boolean ipv6,
            @ForAll @Size(16) byte[] a, @ForAll @Size(16) byte[] b,
            @ForAll @IntRange(max = 65535) int sport, @ForAll @IntRange(max = 65535) int dport) throws Exception {
        InetAddress src = InetAddress.getByAddress(ipv6 ? a : java.util.Arrays.copyOf(a, 4));
        InetAddress dst = InetAddress.getByAddress(ipv6 ? b : java.util.Arrays.copyOf(b, 4));
        if (ipv6 && (src instanceof java.net.Inet4Address || dst instanceof java.net.Inet4Address)) {
            return; // a mapped v4 address is written as v4; covered by the examples
        }
        ByteBuffer out = ByteBuffer.allocate(256);
        ProxyHeader.write(version, new InetSocketAddress(src, sport), new InetSocketAddress(dst, dport), true, out);
        out.put("payload".getBytes());
        out.flip();
        int headerLength = out.remaining() - 7;
        for (int cut = 0; cut < headerLength; cut++) {
            ByteBuffer prefix = out.duplicate().limit(cut);
            assertTrue(ProxyHeader.read(prefix).needMore(), "prefix of " + cut + " bytes");
        }
        ProxyHeader.Result r = ProxyHeader.read(out);
        assertEquals(headerLength, r.length());
        assertEquals(new InetSocketAddress(src, sport), r.source());
        assertEquals(new InetSocketAddress(dst, dport), r.destination());
    }

    @Property
    void garbageIsInvalidOrIncompleteNeverAnException(@ForAll @Size(max = 300) byte[] garbage) {
        ProxyHeader.Result r = ProxyHeader.read(ByteBuffer.wrap(garbage));
        assertTrue(r.needMore() || r.invalid() || r.length() > 0);
    }
}
