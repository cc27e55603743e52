package io.jlb.nio.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Addresses as text in their canonical form: IPv6 per RFC 5952 (lower case, the longest zero run as {@code ::}). */
public final class Addresses {
    private Addresses() {}

    /**
     * The IP address an address literal names ({@code 192.0.2.1}, {@code 2001:db8::7}, {@code [2001:db8::7]}, either
     * with a {@code :port} after it), or null when the text is anything else: never a DNS lookup.
     */
    public static InetAddress parseLiteral(String text) {
        String t = text;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                return null;
            }
            t = t.substring(1, close);
        } else if (t.indexOf(':') >= 0 && t.indexOf(':') == t.lastIndexOf(':')) {
            t = t.substring(0, t.indexOf(':')); // IPv4 with a port
        }
        if (t.isEmpty() || t.length() > 45) {
            return null;
        }
        boolean v4 = true;
        boolean v6 = t.indexOf(':') >= 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            v4 &= c == '.' || (c >= '0' && c <= '9');
            v6 &= c == ':' || c == '.' || Character.digit(c, 16) >= 0;
        }
        if (!v4 && !v6) {
            return null;
        }
        if (v4 && !validIpv4(t)) {
            return null;
        }
        try {
            return InetAddress.getByName(t); // a literal: parsed, not resolved
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    private static boolean validIpv4(String t) {
        String[] parts = t.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** The address as an authority: {@code 192.0.2.1:80}, {@code [2001:db8::7]:443}. */
    public static String authority(InetSocketAddress address) {
        String host = address.getAddress() != null ? text(address.getAddress()) : address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** {@code 192.0.2.1}, {@code 2001:db8::7}; no brackets, no scope. */
    public static String text(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not compressed
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    /**
     * A TCP socket for reaching or binding {@code address}: of the address's own family (an IPv4 socket for an IPv4
     * address, rather than an IPv6 one carrying it mapped), or the platform's default for a wildcard or an
     * unresolved address.
     */
    public static java.nio.channels.SocketChannel openSocket(java.net.InetSocketAddress address) throws java.io.IOException {
        java.net.ProtocolFamily f = family(address);
        return f == null ? java.nio.channels.SocketChannel.open() : java.nio.channels.SocketChannel.open(f);
    }

    /** A listening socket for {@code address}, of its own family as {@link #openSocket} says. */
    public static java.nio.channels.ServerSocketChannel openServerSocket(java.net.InetSocketAddress address)
            throws java.io.IOException {
        java.net.ProtocolFamily f = family(address);
        return f == null ? java.nio.channels.ServerSocketChannel.open() : java.nio.channels.ServerSocketChannel.open(f);
    }

    private static java.net.ProtocolFamily family(java.net.InetSocketAddress address) {
        InetAddress a = address.getAddress();
        if (a == null || a.isAnyLocalAddress()) {
            return null;
        }
        return a instanceof java.net.Inet4Address ? java.net.StandardProtocolFamily.INET : java.net.StandardProtocolFamily.INET6;
    }
}
