package io.jlb.core;

import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The identity of one backend server: where it listens, what it is called, its weight, whether it is a backup,
 * and free-form metadata such as its zone.
 *
 * <p>Immutable and thread-safe. Runtime state (health, active leases, totals, failures) lives beside it on the
 * {@link Member} that a {@link Pool} creates for it. Within a pool a backend is identified by its {@link #name()},
 * which defaults to {@code host:port}.
 *
 * <pre>{@code
 * Backend primary = Backend.parse("10.0.0.7:8080").withWeight(3).withMetadata("zone", "eu-west-1a");
 * Backend spare = Backend.of("10.0.0.9", 8080).withName("spare").withBackup(true);
 * }</pre>
 *
 * <p>A host name is resolved once, when the backend is created; a name that does not resolve leaves an unresolved
 * {@link #address()}, which fails to connect. Re-resolution is the job of discovery, which replaces the backend.
 */
public final class Backend {
    /** The largest weight a backend may have. */
    public static final int MAX_WEIGHT = 1000;
    /** The weight a backend has unless told otherwise. */
    public static final int DEFAULT_WEIGHT = 1;

    private final String name;
    private final String host;
    private final int port;
    private final int weight;
    private final boolean backup;
    private final Map<String, String> metadata;
    private final InetSocketAddress address;

    private Backend(String name, String host, int port, int weight, boolean backup, Map<String, String> metadata,
            InetSocketAddress address) {
        this.name = name;
        this.host = host;
        this.port = port;
        this.weight = weight;
        this.backup = backup;
        this.metadata = metadata;
        this.address = address;
    }

    /** A backend at {@code host:port} with weight 1, named {@code host:port}. */
    public static Backend of(String host, int port) {
        String h = normalizeHost(host);
        checkPort(port);
        return new Backend(authority(h, port), h, port, DEFAULT_WEIGHT, false, Map.of(), new InetSocketAddress(h, port));
    }

    /** A backend at the given socket address; its host is the address's literal IP when resolved. */
    public static Backend of(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        String h = address.isUnresolved() ? address.getHostString() : address.getAddress().getHostAddress();
        return of(h, address.getPort());
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port}; an IPv6 literal must be bracketed.
     *
     * @throws IllegalArgumentException naming the problem, for a missing or bad port or an empty host
     */
    public static Backend parse(String hostAndPort) {
        Objects.requireNonNull(hostAndPort, "hostAndPort");
        String s = hostAndPort.trim();
        String host;
        String portText;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("backend: '" + hostAndPort + "' (expected: [ipv6]:port)");
            }
            host = s.substring(1, close);
            portText = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0 || s.indexOf(':') != colon) {
                throw new IllegalArgumentException("backend: '" + hostAndPort + "' (expected: host:port or [ipv6]:port)");
            }
            host = s.substring(0, colon);
            portText = s.substring(colon + 1);
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("backend: '" + hostAndPort + "' has port '" + portText
                    + "' (expected: a number from 1 to 65535)");
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("backend: '" + hostAndPort + "' has an empty host");
        }
        return of(host, port);
    }

    /** The name identifying this backend in its pool. */
    public String name() {
        return name;
    }

    /** The host name or IP literal given at creation. */
    public String host() {
        return host;
    }

    /** The TCP or UDP port. */
    public int port() {
        return port;
    }

    /** The configured weight, 1 to {@link #MAX_WEIGHT}. */
    public int weight() {
        return weight;
    }

    /** Whether this backend only takes traffic when no primary backend is eligible. */
    public boolean backup() {
        return backup;
    }

    /** Metadata such as {@code zone}; never null, unmodifiable, sorted by key. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The socket address to connect to, resolved when this backend was created. */
    public InetSocketAddress address() {
        return address;
    }

    /** {@code host:port}, with IPv6 literals bracketed. */
    public String authority() {
        return authority(host, port);
    }

    /** A copy with another name. */
    public Backend withName(String newName) {
        Objects.requireNonNull(newName, "name");
        if (newName.isBlank()) {
            throw new IllegalArgumentException("name: '" + newName + "' (expected: not blank)");
        }
        return new Backend(newName, host, port, weight, backup, metadata, address);
    }

    /** A copy with another weight. */
    public Backend withWeight(int newWeight) {
        checkWeight(newWeight);
        return new Backend(name, host, port, newWeight, backup, metadata, address);
    }

    /** A copy that is (or is not) a backup. */
    public Backend withBackup(boolean isBackup) {
        return new Backend(name, host, port, weight, isBackup, metadata, address);
    }

    /** A copy with one more metadata entry (replacing a previous value for the key). */
    public Backend withMetadata(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        TreeMap<String, String> copy = new TreeMap<>(metadata);
        copy.put(key, value);
        return new Backend(name, host, port, weight, backup, Collections.unmodifiableMap(copy), address);
    }

    /** Checks a weight the way every API taking one does. */
    static void checkWeight(int weight) {
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: 1 to " + MAX_WEIGHT + ")");
        }
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1 to 65535)");
        }
    }

    private static String normalizeHost(String host) {
        Objects.requireNonNull(host, "host");
        String h = host.trim();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.isEmpty()) {
            throw new IllegalArgumentException("host: '" + host + "' (expected: a host name or IP address)");
        }
        return h;
    }

    private static String authority(String host, int port) {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Backend b
                && port == b.port && weight == b.weight && backup == b.backup
                && name.equals(b.name) && host.equals(b.host) && metadata.equals(b.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, host, port, weight, backup, metadata);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name);
        if (!name.equals(authority())) {
            sb.append('(').append(authority()).append(')');
        }
        if (weight != DEFAULT_WEIGHT) {
            sb.append(",weight=").append(weight);
        }
        if (backup) {
            sb.append(",backup");
        }
        return sb.toString();
    }
}
