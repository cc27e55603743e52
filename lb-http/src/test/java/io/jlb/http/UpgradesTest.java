package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class UpgradesTest {
    @Test
    void onlyAllowedProtocolsPassAndH2cNever() {
        Set<String> ws = Set.of("websocket");
        assertEquals("websocket", Upgrades.allowed("WebSocket".toLowerCase(), ws));
        assertEquals("WebSocket", Upgrades.allowed("WebSocket", ws), "sent as the client wrote it");
        assertEquals("websocket", Upgrades.allowed("h2c, websocket", ws));
        assertNull(Upgrades.allowed("h2c", Set.of("h2c", "websocket")));
        assertNull(Upgrades.allowed("h2c", ws));
        assertNull(Upgrades.allowed("websocket", Set.of()));
        assertNull(Upgrades.allowed("web socket", ws), "not a token");
        assertEquals("x/2, websocket", Upgrades.allowed("x/2, y, websocket", Set.of("x", "websocket")));
        assertNull(Upgrades.allowed(null, ws));
    }

    @Test
    void aSwitchMustBeToAnOfferedProtocol() {
        assertTrue(Upgrades.accepted("websocket", "websocket"));
        assertTrue(Upgrades.accepted("WebSocket", "websocket"));
        assertTrue(Upgrades.accepted("x/2", "x/2, websocket"));
        assertFalse(Upgrades.accepted("h2c", "websocket"));
        assertFalse(Upgrades.accepted(null, "websocket"));
        assertFalse(Upgrades.accepted("websocket", null));
    }

    @Test
    void h2cCannotBeConfigured() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Policies.of(p -> p.upgrades("h2c")));
        assertTrue(e.getMessage().contains("never tunnelled"), e.getMessage());
        assertEquals(Set.of("websocket"), Policies.NONE.upgradeProtocols());
        assertEquals(Set.of(), Policies.of(p -> p.upgrades()).upgradeProtocols());
    }
}
