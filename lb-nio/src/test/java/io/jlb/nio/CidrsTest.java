package io.jlb.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrsTest {
    private static boolean in(Cidrs c, String address) throws Exception {
        return c.contains(InetAddress.getByName(address));
    }

    @Test
    void matchesIpv4AndIpv6RangesAndMappedAddresses() throws Exception {
        Cidrs c = Cidrs.parse("10.0.0.0/8", "192.168.1.7", "2001:db8::/32", "::1");
        assertTrue(in(c, "10.255.1.2"));
        assertFalse(in(c, "11.0.0.1"));
        assertTrue(in(c, "192.168.1.7"));
        assertFalse(in(c, "192.168.1.8"));
        assertTrue(in(c, "2001:db8:ffff::1"));
        assertFalse(in(c, "2001:db9::1"));
        assertTrue(in(c, "::1"));
        assertTrue(in(c, "::ffff:10.1.2.3"), "an IPv4-mapped address matches the IPv4 range");
        assertFalse(Cidrs.NONE.contains(InetAddress.getByName("10.0.0.1")));
        assertTrue(in(Cidrs.parse("0.0.0.0/0"), "203.0.113.9"));
        assertFalse(in(Cidrs.parse("0.0.0.0/0"), "2001:db8::1"), "all of IPv4 is not all of IPv6");
        assertTrue(in(Cidrs.parse("::/0"), "2001:db8::1"));
        assertTrue(in(Cidrs.parse("2001:db8::/127"), "2001:db8::1"));
        assertFalse(in(Cidrs.parse("2001:db8::/128"), "2001:db8::1"));
        assertEquals("10.0.0.0/8,::1", Cidrs.parse("10.0.0.0/8", "::1").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "example.com", "10.0.0.0/x", "", "::1/129", "10.0.0.0/-1"})
    void rejectsWhatIsNotARange(String range) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidrs.parse(range));
        assertTrue(e.getMessage().contains("'" + range + "'"), e.getMessage());
    }
}
