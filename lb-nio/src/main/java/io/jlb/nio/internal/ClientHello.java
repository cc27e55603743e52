package io.jlb.nio.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Finds the server name (SNI) in a TLS ClientHello without terminating TLS, as HAProxy's {@code req.ssl_sni}
 * does. Reads the bytes between a buffer's position and limit without consuming them; the handshake message may
 * span several TLS records. Answers whether more bytes are needed, the name (lower-cased), that there is none, or
 * that the bytes are not a TLS ClientHello.
 */
public final class ClientHello {
    /** The most bytes looked at before giving up on finding a complete ClientHello. */
    public static final int MAX_BYTES = 16 * 1024 + 5;

    /** The answer of {@link #serverName}. */
    public record Sni(Kind kind, String name) {
        static final Sni NEED_MORE = new Sni(Kind.NEED_MORE, null);
        static final Sni NONE = new Sni(Kind.NONE, null);

        /** What was found. */
        public enum Kind {
            /** Not enough bytes yet. */
            NEED_MORE,
            /** A server name. */
            FOUND,
            /** A valid ClientHello without a server name. */
            NONE,
            /** Not a TLS ClientHello (or too long). */
            NOT_TLS
        }

        static Sni notTls(String why) {
            return new Sni(Kind.NOT_TLS, why);
        }
    }

    private ClientHello() {}

    /** Looks for the server name in the bytes between {@code buffer}'s position and limit. */
    public static Sni serverName(ByteBuffer buffer) {
        int pos = buffer.position();
        int limit = buffer.limit();
        // Reassemble the handshake message from consecutive handshake records.
        byte[] handshake = new byte[0];
        int needed = -1;
        while (true) {
            if (limit - pos < 5) {
                return limit - buffer.position() >= MAX_BYTES ? Sni.notTls("ClientHello too long") : Sni.NEED_MORE;
            }
            int type = buffer.get(pos) & 0xff;
            int major = buffer.get(pos + 1) & 0xff;
            int recordLength = buffer.getShort(pos + 3) & 0xffff;
            if (type != 22) {
                return Sni.notTls("not a TLS handshake record (type " + type + ")");
            }
            if (major != 3 || recordLength == 0 || recordLength > 16384 + 2048) {
                return Sni.notTls("not a TLS record");
            }
            if (limit - pos < 5 + recordLength) {
                return pos + 5 + recordLength - buffer.position() > MAX_BYTES ? Sni.notTls("ClientHello too long")
                        : Sni.NEED_MORE;
            }
            byte[] joined = new byte[handshake.length + recordLength];
            System.arraycopy(handshake, 0, joined, 0, handshake.length);
            buffer.get(pos + 5, joined, handshake.length, recordLength);
            handshake = joined;
            pos += 5 + recordLength;
            if (needed < 0 && handshake.length >= 4) {
                if ((handshake[0] & 0xff) != 1) {
                    return Sni.notTls("first handshake message is not a ClientHello");
                }
                needed = 4 + ((handshake[1] & 0xff) << 16 | (handshake[2] & 0xff) << 8 | (handshake[3] & 0xff));
                if (needed > MAX_BYTES) {
                    return Sni.notTls("ClientHello too long");
                }
            }
            if (needed >= 0 && handshake.length >= needed) {
                return parse(ByteBuffer.wrap(handshake, 4, needed - 4));
            }
        }
    }

    private static Sni parse(ByteBuffer hello) {
        try {
            skip(hello, 2 + 32); // client_version, random
            skip(hello, hello.get() & 0xff); // session_id
            skip(hello, hello.getShort() & 0xffff); // cipher_suites
            skip(hello, hello.get() & 0xff); // compression_methods
            if (!hello.hasRemaining()) {
                return Sni.NONE;
            }
            int extensionsEnd = (hello.getShort() & 0xffff) + hello.position();
            while (hello.position() + 4 <= extensionsEnd) {
                int type = hello.getShort() & 0xffff;
                int length = hello.getShort() & 0xffff;
                int end = hello.position() + length;
                if (type == 0) { // server_name
                    int listEnd = (hello.getShort() & 0xffff) + hello.position();
                    while (hello.position() + 3 <= listEnd) {
                        int nameType = hello.get() & 0xff;
                        int nameLength = hello.getShort() & 0xffff;
                        if (nameType == 0) {
                            byte[] name = new byte[nameLength];
                            hello.get(name);
                            return new Sni(Sni.Kind.FOUND, new String(name, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT));
                        }
                        skip(hello, nameLength);
                    }
                    return Sni.NONE;
                }
                hello.position(end);
            }
            return Sni.NONE;
        } catch (RuntimeException e) { // BufferUnderflowException, IllegalArgumentException: lengths lie
            return Sni.notTls("malformed ClientHello");
        }
    }

    private static void skip(ByteBuffer b, int n) {
        b.position(b.position() + n);
    }
}
