package io.jlb.nio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ClientHelloProperties {

    /** The first flight of a real JDK TLS client, asking for {@code serverName} (none when null). */
    static ByteBuffer clientHello(String serverName) throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine(serverName, 443);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
        engine.setSSLParameters(p);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), out);
        return out.flip();
    }

    @Example
    void findsTheServerNameOfARealClientHello() throws Exception {
        ClientHello.Sni sni = ClientHello.serverName(clientHello("API.Example.com"));
        assertEquals(ClientHello.Sni.Kind.FOUND, sni.kind());
        assertEquals("api.example.com", sni.name());
        assertEquals(ClientHello.Sni.Kind.NONE, ClientHello.serverName(clientHello(null)).kind());
    }

    @Example
    void readsAClientHelloSplitOverSeveralRecords() throws Exception {
        ByteBuffer hello = clientHello("split.example.com");
        int length = hello.getShort(3) & 0xffff;
        byte[] body = new byte[length];
        hello.get(5, body);
        ByteBuffer split = ByteBuffer.allocate(length + 15);
        int[] cuts = {0, 7, 40, length};
        for (int i = 0; i < 3; i++) {
            int n = cuts[i + 1] - cuts[i];
            split.put((byte) 22).put((byte) 3).put((byte) 1).putShort((short) n).put(body, cuts[i], n);
        }
        assertEquals("split.example.com", ClientHello.serverName(split.flip()).name());
    }

    @Property(tries = 50)
    void everyPrefixOfAClientHelloAsksForMore(@ForAll @IntRange(min = 0, max = 100) int percent) throws Exception {
        ByteBuffer hello = clientHello("www.example.org");
        int cut = hello.remaining() * percent / 100;
        ClientHello.Sni sni = ClientHello.serverName(hello.duplicate().limit(cut));
        if (cut < hello.remaining()) {
            assertEquals(ClientHello.Sni.Kind.NEED_MORE, sni.kind());
        } else {
            assertEquals("www.example.org", sni.name());
        }
    }

    @Property
    void garbageNeverThrows(@ForAll @Size(max = 600) byte[] garbage) {
        ClientHello.Sni sni = ClientHello.serverName(ByteBuffer.wrap(garbage));
        assertNotEquals(null, sni.kind());
    }

    @Property(tries = 200)
    void aCorruptedClientHelloNeverThrows(@ForAll @IntRange(min = 5, max = 300) int position, @ForAll byte value)
            throws Exception {
        ByteBuffer hello = clientHello("corrupt.example.com");
        if (position < hello.limit()) {
            hello.put(position, value);
        }
        ClientHello.Sni sni = ClientHello.serverName(hello);
        assertNotEquals(null, sni.kind());
        if (sni.kind() == ClientHello.Sni.Kind.NOT_TLS) {
            assertNotEquals(null, sni.name(), "a reason is given");
        }
    }
}
