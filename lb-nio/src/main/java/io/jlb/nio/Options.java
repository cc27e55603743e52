package io.jlb.nio;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/** Checks of builder options, with messages in one style: {@code name: value (expected: ...)}. */
final class Options {
    private Options() {}

    static <T> T once(String option, T current, T value) {
        if (current != null) {
            throw new IllegalStateException(option + ": already set to " + current);
        }
        return value;
    }

    static int atLeast(String option, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: >= " + min + ")");
        }
        return value;
    }

    static Duration positive(String option, Duration value) {
        Objects.requireNonNull(value, option);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    static Duration notNegative(String option, Duration value) {
        Objects.requireNonNull(value, option);
        if (value.isNegative()) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: >= 0)");
        }
        return value;
    }

    /** {@code host:port} or {@code [ipv6]:port}; an empty host or {@code *} means every address. */
    static InetSocketAddress socketAddress(String option, String hostAndPort) {
        Objects.requireNonNull(hostAndPort, option);
        String s = hostAndPort.trim();
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(option + ": '" + hostAndPort + "' (expected: host:port)");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + hostAndPort + "' (expected: host:port)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(option + ": '" + hostAndPort + "' (expected: a port from 0 to 65535)");
        }
        return host.isEmpty() || host.equals("*") ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }
}
