package io.jlb.nio.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes and reads PROXY protocol headers (v1 text, v2 binary), as specified by HAProxy's proxy-protocol.txt.
 * Reading is incremental: feed what arrived; the answer says whether more is needed, the header is complete
 * (with the client and proxy addresses and the header length), or the bytes are not a valid header.
 */
public final class ProxyHeader {
    /** v1 headers are at most 107 bytes including CRLF. */
    public static final int V1_MAX = 107;
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    /** A v2 header may carry TLVs; more than this is refused. */
    public static final int V2_MAX = 16 + 1024;

    private ProxyHeader() {}

    /**
     * Appends a header of {@code version} 1 (text) or 2 (binary) announcing a {@code stream} (TCP) or datagram
     * connection from {@code client} to {@code proxy}. Addresses of different families (or unresolved ones) are sent
     * as UNKNOWN/LOCAL.
     */
    public static void write(int version, InetSocketAddress client, InetSocketAddress proxy, boolean stream,
            ByteBuffer out) {
        InetAddress src = unmap(client.getAddress());
        InetAddress dst = unmap(proxy.getAddress());
        boolean known = src != null && dst != null && src.getClass() == dst.getClass();
        if (version == 1) {
            String line;
            if (!known || !stream) {
                line = "PROXY UNKNOWN\r\n";
            } else {
                line = "PROXY " + (src instanceof Inet4Address ? "TCP4 " : "TCP6 ") + Addresses.text(src) + " "
                        + Addresses.text(dst) + " " + client.getPort() + " " + proxy.getPort() + "\r\n";
            }
            out.put(line.getBytes(StandardCharsets.US_ASCII));
            return;
        }
        out.put(V2_SIGNATURE);
        if (!known) {
            out.put((byte) 0x20); // version 2, LOCAL
            out.put((byte) 0x00);
            out.putShort((short) 0);
            return;
        }
        out.put((byte) 0x21); // version 2, PROXY
        boolean v4 = src instanceof Inet4Address;
        out.put((byte) ((v4 ? 0x10 : 0x20) | (stream ? 0x01 : 0x02)));
        out.putShort((short) (v4 ? 12 : 36));
        out.put(src.getAddress());
        out.put(dst.getAddress());
        out.putShort((short) client.getPort());
        out.putShort((short) proxy.getPort());
    }

    /** An IPv4-mapped IPv6 address as IPv4; others unchanged. */
    private static InetAddress unmap(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            mapped &= b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            if (mapped) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException impossible) {
                    throw new AssertionError(impossible);
                }
            }
        }
        return address;
    }

    /** The answer of {@link #read}. */
    public static final class Result {
        static final Result NEED_MORE = new Result(0, null, null, null);

        private final int length;
        private final InetSocketAddress source;
        private final InetSocketAddress destination;
        private final String error;

        private Result(int length, InetSocketAddress source, InetSocketAddress destination, String error) {
            this.length = length;
            this.source = source;
            this.destination = destination;
            this.error = error;
        }

        static Result invalid(String why) {
            return new Result(-1, null, null, why);
        }

        /** Whether more bytes are needed to decide. */
        public boolean needMore() {
            return this == NEED_MORE;
        }

        /** Whether the bytes are not a valid header. */
        public boolean invalid() {
            return error != null;
        }

        /** Why the header is invalid. */
        public String error() {
            return error;
        }

        /** The header's length in bytes, once complete. */
        public int length() {
            return length;
        }

        /** The client's address, or null when the header carries none (LOCAL, UNKNOWN): keep the socket's. */
        public InetSocketAddress source() {
            return source;
        }

        /** The address the client connected to, or null. */
        public InetSocketAddress destination() {
            return destination;
        }
    }

    /** Reads a header from the bytes between {@code buffer}'s position and limit, without consuming them. */
    public static Result read(ByteBuffer buffer) {
        int start = buffer.position();
        int available = buffer.remaining();
        if (available == 0) {
            return Result.NEED_MORE;
        }
        byte first = buffer.get(start);
        if (first == 'P') {
            return readV1(buffer, start, available);
        }
        if (first == 0x0D) {
            return readV2(buffer, start, available);
        }
        return Result.invalid("not a PROXY protocol header");
    }

    private static Result readV1(ByteBuffer buffer, int start, int available) {
        byte[] prefix = "PROXY ".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < Math.min(prefix.length, available); i++) {
            if (buffer.get(start + i) != prefix[i]) {
                return Result.invalid("not a PROXY protocol header");
            }
        }
        int end = -1;
        for (int i = 0; i < Math.min(available, V1_MAX); i++) {
            byte c = buffer.get(start + i);
            if (c == '\n') {
                end = i;
                break;
            }
            if (c != '\r' && (c < 0x20 || c > 0x7e)) {
                return Result.invalid("PROXY v1 header has a control character");
            }
        }
        if (end < 0) {
            return available >= V1_MAX ? Result.invalid("PROXY v1 header longer than " + V1_MAX + " bytes") : Result.NEED_MORE;
        }
        if (end == 0 || buffer.get(start + end - 1) != '\r') {
            return Result.invalid("PROXY v1 header does not end with CRLF");
        }
        byte[] line = new byte[end - 1];
        buffer.get(start, line);
        String[] f = new String(line, StandardCharsets.US_ASCII).split(" ", -1);
        if (f.length == 2 && f[1].equals("UNKNOWN") || f.length > 2 && f[1].equals("UNKNOWN")) {
            return new Result(end + 1, null, null, null);
        }
        if (f.length != 6 || !(f[1].equals("TCP4") || f[1].equals("TCP6"))) {
            return Result.invalid("PROXY v1 header malformed: '" + new String(line, StandardCharsets.US_ASCII) + "'");
        }
        try {
            InetAddress src = literal(f[2], f[1].equals("TCP4"));
            InetAddress dst = literal(f[3], f[1].equals("TCP4"));
            int sport = port(f[4]);
            int dport = port(f[5]);
            return new Result(end + 1, new InetSocketAddress(src, sport), new InetSocketAddress(dst, dport), null);
        } catch (IllegalArgumentException e) {
            return Result.invalid("PROXY v1 header malformed: " + e.getMessage());
        }
    }

    private static InetAddress literal(String text, boolean v4) {
        boolean looksV4 = text.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean looksV6 = !looksV4 && text.matches("[0-9a-fA-F:.]+") && text.contains(":");
        if (v4 ? !looksV4 : !looksV6) {
            throw new IllegalArgumentException("bad " + (v4 ? "IPv4" : "IPv6") + " address '" + text + "'");
        }
        try {
            return InetAddress.getByName(text); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address '" + text + "'");
        }
    }

    private static int port(String text) {
        if (!text.matches("\\d{1,5}")) {
            throw new IllegalArgumentException("bad port '" + text + "'");
        }
        int p = Integer.parseInt(text);
        if (p > 65535) {
            throw new IllegalArgumentException("bad port '" + text + "'");
        }
        return p;
    }

    private static Result readV2(ByteBuffer buffer, int start, int available) {
        for (int i = 0; i < Math.min(V2_SIGNATURE.length, available); i++) {
            if (buffer.get(start + i) != V2_SIGNATURE[i]) {
                return Result.invalid("not a PROXY protocol header");
            }
        }
        if (available < 16) {
            return Result.NEED_MORE;
        }
        int versionCommand = buffer.get(start + 12) & 0xff;
        if ((versionCommand & 0xf0) != 0x20) {
            return Result.invalid("PROXY v2 header has version " + (versionCommand >> 4));
        }
        int command = versionCommand & 0x0f;
        if (command > 1) {
            return Result.invalid("PROXY v2 header has command " + command);
        }
        int family = buffer.get(start + 13) & 0xff;
        int length = buffer.getShort(start + 14) & 0xffff;
        if (16 + length > V2_MAX) {
            return Result.invalid("PROXY v2 header longer than " + V2_MAX + " bytes");
        }
        if (available < 16 + length) {
            return Result.NEED_MORE;
        }
        int total = 16 + length;
        if (command == 0) {
            return new Result(total, null, null, null); // LOCAL: a health check from the proxy itself
        }
        int addressFamily = family >> 4;
        try {
            if (addressFamily == 1 && length >= 12) {
                byte[] src = new byte[4];
                byte[] dst = new byte[4];
                buffer.get(start + 16, src);
                buffer.get(start + 20, dst);
                int sport = buffer.getShort(start + 24) & 0xffff;
                int dport = buffer.getShort(start + 26) & 0xffff;
                return new Result(total, new InetSocketAddress(InetAddress.getByAddress(src), sport),
                        new InetSocketAddress(InetAddress.getByAddress(dst), dport), null);
            }
            if (addressFamily == 2 && length >= 36) {
                byte[] src = new byte[16];
                byte[] dst = new byte[16];
                buffer.get(start + 16, src);
                buffer.get(start + 32, dst);
                int sport = buffer.getShort(start + 48) & 0xffff;
                int dport = buffer.getShort(start + 50) & 0xffff;
                return new Result(total, new InetSocketAddress(InetAddress.getByAddress(src), sport),
                        new InetSocketAddress(InetAddress.getByAddress(dst), dport), null);
            }
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
        if (addressFamily == 0 || addressFamily == 3) {
            return new Result(total, null, null, null); // UNSPEC or UNIX: keep the socket's addresses
        }
        return Result.invalid("PROXY v2 header has family " + family + " with length " + length);
    }
}
