package io.jlb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendTest {
    @Test
    void parsesHostPortAndBracketedIpv6() {
        Backend v4 = Backend.parse("127.0.0.1:8080");
        assertEquals("127.0.0.1", v4.host());
        assertEquals(8080, v4.port());
        assertEquals("127.0.0.1:8080", v4.name());
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), v4.address());
        Backend v6 = Backend.parse("[::1]:9000");
        assertEquals("::1", v6.host());
        assertEquals("[::1]:9000", v6.name());
        assertFalse(v6.address().isUnresolved());
    }

    @Test
    void rejectsBadInputWithAMessageNamingIt() {
        assertEquals("backend: '127.0.0.1' (expected: host:port or [ipv6]:port)",
                assertThrows(IllegalArgumentException.class, () -> Backend.parse("127.0.0.1")).getMessage());
        assertEquals("backend: '127.0.0.1:http' has port 'http' (expected: a number from 1 to 65535)",
                assertThrows(IllegalArgumentException.class, () -> Backend.parse("127.0.0.1:http")).getMessage());
        assertEquals("port: 70000 (expected: 1 to 65535)",
                assertThrows(IllegalArgumentException.class, () -> Backend.parse("h:70000")).getMessage());
        assertEquals("weight: 0 (expected: 1 to 1000)",
                assertThrows(IllegalArgumentException.class, () -> Backend.parse("h:1").withWeight(0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backend.parse("::1:80"));
        assertThrows(IllegalArgumentException.class, () -> Backend.parse(":80"));
    }

    @Test
    void copiesChangeOneThingEach() {
        Backend b = Backend.parse("10.0.0.1:80");
        Backend c = b.withName("api-1").withWeight(3).withBackup(true).withMetadata("zone", "a").withMetadata("rack", "7");
        assertEquals("api-1", c.name());
        assertEquals(3, c.weight());
        assertTrue(c.backup());
        assertEquals(Map.of("zone", "a", "rack", "7"), c.metadata());
        assertEquals("[rack, zone]", c.metadata().keySet().toString());
        assertEquals(b.address(), c.address());
        assertNotEquals(b, c);
        assertEquals(c, b.withName("api-1").withWeight(3).withBackup(true).withMetadata("rack", "7").withMetadata("zone", "a"));
        assertEquals("api-1(10.0.0.1:80),weight=3,backup", c.toString());
    }

    @Test
    void anUnresolvableNameGivesAnUnresolvedAddressNotAnException() {
        Backend b = Backend.of("no-such-host.invalid", 80);
        assertTrue(b.address().isUnresolved());
    }
}
