package io.jlb.nio;

import java.util.Locale;

/**
 * The PROXY protocol (HAProxy's), which tells a backend the client's address when a proxy stands in between:
 * version 1 is a text line, version 2 a binary header. A TCP proxy can send it to backends, and a listener can
 * require it from a balancer in front.
 */
public enum ProxyProtocol {
    /** The text form: {@code PROXY TCP4 src dst sport dport\r\n}. */
    V1,
    /** The binary form, with a 16-byte preamble. */
    V2;

    /**
     * {@code v1} or {@code v2}, as the command line and configuration write it.
     *
     * @throws IllegalArgumentException naming the value otherwise
     */
    public static ProxyProtocol parse(String text) {
        return switch (text == null ? "" : text.trim().toLowerCase(Locale.ROOT)) {
            case "v1", "1" -> V1;
            case "v2", "2" -> V2;
            default -> throw new IllegalArgumentException("proxy protocol: '" + text + "' (expected: v1 or v2)");
        };
    }
}
