package io.jlb.nio;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A set of IPv4 and IPv6 address ranges in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a single
 * address): trusted proxies, allow and deny lists. An IPv4-mapped IPv6 address ({@code ::ffff:10.1.2.3}) matches
 * the IPv4 ranges. Immutable and thread-safe.
 *
 * <pre>{@code
 * Cidrs trusted = Cidrs.parse("10.0.0.0/8", "192.168.0.0/16", "::1");
 * trusted.contains(InetAddress.getByName("10.1.2.3"));   // true
 * }</pre>
 */
public final class Cidrs {
    /** No address at all. */
    public static final Cidrs NONE = new Cidrs(List.of(), new long[0][], new int[0]);

    private final List<String> source;
    /** Per range: the network as two longs (IPv4 in the low 32 bits of the second, mapped form), and its prefix. */
    private final long[][] networks;
    private final int[] prefixes;

    private Cidrs(List<String> source, long[][] networks, int[] prefixes) {
        this.source = source;
        this.networks = networks;
        this.prefixes = prefixes;
    }

    /**
     * Parses ranges; each is an address literal with an optional {@code /prefix}. Host names are refused: a range
     * must not depend on DNS.
     *
     * @throws IllegalArgumentException naming the first bad range
     */
    public static Cidrs parse(String... ranges) {
        return parse(Arrays.asList(ranges));
    }

    /** Parses ranges; see {@link #parse(String...)}. */
    public static Cidrs parse(List<String> ranges) {
        long[][] networks = new long[ranges.size()][];
        int[] prefixes = new int[ranges.size()];
        List<String> source = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            String r = Objects.requireNonNull(ranges.get(i), "range").trim();
            int slash = r.indexOf('/');
            String address = slash < 0 ? r : r.substring(0, slash);
            InetAddress a = literal(r, address);
            int bits = a instanceof Inet4Address ? 32 : 128;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(r.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("CIDR range '" + r + "': prefix (expected: 0 to " + bits + ")");
                }
            }
            long[] n = bits(a);
            int mappedPrefix = bits == 32 ? prefix + 96 : prefix;
            networks[i] = mask(n, mappedPrefix);
            prefixes[i] = mappedPrefix;
            source.add(r);
        }
        return new Cidrs(List.copyOf(source), networks, prefixes);
    }

    private static InetAddress literal(String range, String address) {
        boolean ipv4 = !address.isEmpty() && address.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
        boolean ipv6 = address.indexOf(':') >= 0 && address.chars().allMatch(c -> c == ':' || c == '.'
                || Character.digit(c, 16) >= 0);
        if (!ipv4 && !ipv6) {
            throw new IllegalArgumentException("CIDR range '" + range + "': not an IP address (expected: 10.0.0.0/8 or 2001:db8::/32)");
        }
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("CIDR range '" + range + "': not an IP address");
        }
    }

    /** Whether {@code address} falls in one of the ranges. */
    public boolean contains(InetAddress address) {
        if (networks.length == 0 || address == null) {
            return false;
        }
        long[] a = bits(address);
        for (int i = 0; i < networks.length; i++) {
            if (matches(a[0], a[1], networks[i], prefixes[i])) {
                return true;
            }
        }
        return false;
    }

    /** Whether there is no range. */
    public boolean isEmpty() {
        return networks.length == 0;
    }

    /** The ranges as given. */
    public List<String> ranges() {
        return source;
    }

    private static boolean matches(long hi, long lo, long[] network, int prefix) {
        if (prefix < 64) {
            return (hi & hiMask(prefix)) == network[0];
        }
        return hi == network[0] && (lo & loMask(prefix - 64)) == network[1];
    }

    private static long[] mask(long[] n, int prefix) {
        if (prefix < 64) {
            return new long[] {n[0] & hiMask(prefix), 0};
        }
        return new long[] {n[0], n[1] & loMask(prefix - 64)};
    }

    private static long hiMask(int prefix) {
        return prefix == 0 ? 0 : -1L << (64 - prefix);
    }

    private static long loMask(int prefix) {
        return prefix == 0 ? 0 : prefix == 64 ? -1L : -1L << (64 - prefix);
    }

    /** The address as 128 bits, IPv4 in its IPv4-mapped IPv6 form. */
    private static long[] bits(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return new long[] {0, 0xffff_0000_0000L | ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16)
                    | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL)};
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = hi << 8 | (b[i] & 0xff);
            lo = lo << 8 | (b[8 + i] & 0xff);
        }
        return new long[] {hi, lo};
    }

    @Override
    public String toString() {
        return String.join(",", source);
    }
}
