package io.jlb.http;

import java.util.Locale;
import java.util.Set;

/**
 * Which protocol upgrades pass through the proxy (RFC 9110 §7.8). A request may name several protocols; only those
 * its route allows are offered to the backend, and a backend's 101 must switch to one of them. {@code h2c} never
 * passes: on a tunnel, requests would reach the backend past routing, authentication and header policies.
 */
final class Upgrades {
    private Upgrades() {}

    /**
     * The protocols of an Upgrade field value that {@code allowed} lets through, as the value to forward; null
     * when none does (the request then goes on without an upgrade).
     */
    static String allowed(String value, Set<String> allowed) {
        if (value == null || allowed.isEmpty()) {
            return null;
        }
        StringBuilder kept = null;
        for (String part : value.split(",")) {
            String protocol = part.trim();
            String name = name(protocol);
            if (name == null || name.equals("h2c") || !allowed.contains(name)) {
                continue;
            }
            if (kept == null) {
                kept = new StringBuilder(protocol.length());
            } else {
                kept.append(", ");
            }
            kept.append(protocol);
        }
        return kept == null ? null : kept.toString();
    }

    /** Whether the Upgrade value of a 101 response names one protocol, one of those offered. */
    static boolean accepted(String response, String offered) {
        if (response == null || offered == null) {
            return false;
        }
        String switched = name(response.trim());
        if (switched == null) {
            return false;
        }
        for (String part : offered.split(",")) {
            if (switched.equals(name(part.trim()))) {
                return true;
            }
        }
        return false;
    }

    /** The lower-case name of {@code protocol ["/" version]}, or null when it is not made of tokens. */
    private static String name(String protocol) {
        int slash = protocol.indexOf('/');
        String name = slash < 0 ? protocol : protocol.substring(0, slash);
        String version = slash < 0 ? null : protocol.substring(slash + 1);
        if (!token(name) || (version != null && !token(version))) {
            return null;
        }
        return name.toLowerCase(Locale.ROOT);
    }

    private static boolean token(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A fresh Sec-WebSocket-Key (RFC 6455 §4.1): 16 random bytes, base64. */
    static String newWebSocketKey() {
        byte[] nonce = new byte[16];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(nonce);
        return java.util.Base64.getEncoder().encodeToString(nonce);
    }

    /** The Sec-WebSocket-Accept a server answers {@code key} with (RFC 6455 §4.2.2). */
    static String webSocketAccept(String key) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-1").digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return java.util.Base64.getEncoder().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is always there", e);
        }
    }
}
