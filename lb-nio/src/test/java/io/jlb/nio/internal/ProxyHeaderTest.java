package io.jlb.nio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProxyHeaderTest {
    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void writesTheV1LineOfTheSpec() {
        ByteBuffer out = ByteBuffer.allocate(256);
        ProxyHeader.write(1, new InetSocketAddress("192.168.0.1", 56324),
                new InetSocketAddress("192.168.0.11", 443), true, out);
        assertEquals("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n",
                new String(out.array(), 0, out.position(), StandardCharsets.US_ASCII));
    }

    @Test
    void writesV2WithTheSignatureFamilyAndAddresses() {
        ByteBuffer out = ByteBuffer.allocate(256);
        ProxyHeader.write(2, new InetSocketAddress("::1", 1000), new InetSocketAddress("::2", 80), true, out);
        out.flip();
        assertEquals(16 + 36, out.remaining());
        assertEquals(0x21, out.get(12) & 0xff);
        assertEquals(0x21, out.get(13) & 0xff); // IPv6, stream
        ProxyHeader.Result r = ProxyHeader.read(out);
        assertEquals(new InetSocketAddress("::1", 1000), r.source());
        assertEquals(52, r.length());
    }

    @Test
    void mappedIpv4IsSentAsIpv4AndMixedFamiliesAsUnknown() {
        ByteBuffer out = ByteBuffer.allocate(256);
        ProxyHeader.write(1, new InetSocketAddress("::ffff:10.1.2.3", 5), new InetSocketAddress("10.0.0.1", 6),
                true, out);
        assertTrue(new String(out.array(), 0, out.position(), StandardCharsets.US_ASCII).startsWith("PROXY TCP4 10.1.2.3 "));
        out.clear();
        ProxyHeader.write(1, new InetSocketAddress("::1", 5), new InetSocketAddress("10.0.0.1", 6), true, out);
        assertEquals("PROXY UNKNOWN\r\n", new String(out.array(), 0, out.position(), StandardCharsets.US_ASCII));
    }

    @Test
    void readsV1AndReportsItsLength() {
        ProxyHeader.Result r = ProxyHeader.read(ascii("PROXY TCP6 2001:db8::1 ::1 1234 80\r\nGET /"));
        assertEquals(new InetSocketAddress("2001:db8::1", 1234), r.source());
        assertEquals(new InetSocketAddress("::1", 80), r.destination());
        assertEquals("PROXY TCP6 2001:db8::1 ::1 1234 80\r\n".length(), r.length());
        ProxyHeader.Result unknown = ProxyHeader.read(ascii("PROXY UNKNOWN ff:ff::1 whatever\r\n"));
        assertNull(unknown.source());
        assertEquals(33, unknown.length());
    }

    @Test
    void needsMoreOnAPrefixAndRejectsWhatIsNotAHeader() {
        assertTrue(ProxyHeader.read(ascii("PROX")).needMore());
        assertTrue(ProxyHeader.read(ascii("PROXY TCP4 1.2.3.4 5.6.7.8 1 2")).needMore());
        assertEquals("not a PROXY protocol header", ProxyHeader.read(ascii("GET / HTTP/1.1\r\n")).error());
        assertTrue(ProxyHeader.read(ascii("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n")).invalid(), "LF without CR");
        assertTrue(ProxyHeader.read(ascii("PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n")).invalid());
        assertTrue(ProxyHeader.read(ascii("PROXY TCP4 ::1 5.6.7.8 1 2\r\n")).invalid(), "family mismatch");
        assertTrue(ProxyHeader.read(ascii("PROXY TCP4 localhost 5.6.7.8 1 2\r\n")).invalid(), "names are not addresses");
        assertTrue(ProxyHeader.read(ascii("PROXY " + "9".repeat(120))).invalid(), "longer than 107 bytes");
    }

    @Test
    void readsV2LocalAsNoAddress() {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0, 0});
        b.flip();
        ProxyHeader.Result r = ProxyHeader.read(b);
        assertNull(r.source());
        assertEquals(16, r.length());
    }
}
