package io.jlb.http;

import io.jlb.nio.Cidrs;
import io.jlb.http.internal.HttpHead;
import io.jlb.nio.internal.Addresses;
import java.net.InetAddress;
import java.util.Objects;

/**
 * Which headers the proxy adds to say who the client was and that a proxy stood between. By default all of them:
 * X-Forwarded-For (the peer's address appended), X-Real-IP (the client's address), X-Forwarded-Proto and
 * X-Forwarded-Host (set, replacing what the client sent), Forwarded (RFC 7239, an element appended) and Via
 * (appended on requests and responses, as {@code 1.1 <pseudonym>}).
 *
 * <p>X-Forwarded-For, Forwarded and X-Real-IP are what backends take for the client's address, so they are kept and
 * extended only when the peer is one of the listener's {@link HttpProxyBuilder#trustedProxies trusted proxies}; from
 * any other client they are dropped and replaced (or, for a header switched off here, dropped).
 *
 * @param xForwardedFor append the client address to X-Forwarded-For
 * @param xForwardedProto set X-Forwarded-Proto
 * @param xForwardedHost set X-Forwarded-Host
 * @param forwarded append an RFC 7239 Forwarded element
 * @param via append to Via, on requests and responses
 * @param viaPseudonym the name in Via
 * @param xRealIp set X-Real-IP to the client's address
 */
public record ForwardedHeaders(boolean xForwardedFor, boolean xForwardedProto, boolean xForwardedHost,
        boolean forwarded, boolean via, String viaPseudonym, boolean xRealIp) {
    /** Validates the pseudonym (a token). */
    public ForwardedHeaders {
        Objects.requireNonNull(viaPseudonym, "viaPseudonym");
        if (viaPseudonym.isEmpty() || !viaPseudonym.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ',')) {
            throw new IllegalArgumentException("viaPseudonym: '" + viaPseudonym + "' (expected: a token)");
        }
    }

    /** The headers with X-Real-IP set as X-Forwarded-For is. */
    public ForwardedHeaders(boolean xForwardedFor, boolean xForwardedProto, boolean xForwardedHost, boolean forwarded,
            boolean via, String viaPseudonym) {
        this(xForwardedFor, xForwardedProto, xForwardedHost, forwarded, via, viaPseudonym, xForwardedFor);
    }

    /** Every header on, Via as {@code 1.1 jlb}. */
    public static ForwardedHeaders defaults() {
        return new ForwardedHeaders(true, true, true, true, true, "jlb", true);
    }

    /** None of them: requests and responses are forwarded without proxy headers. */
    public static ForwardedHeaders none() {
        return new ForwardedHeaders(false, false, false, false, false, "jlb", false);
    }

    /**
     * The client a trusted proxy names: the last address in X-Forwarded-For that is not itself a trusted proxy; null
     * when the header names none (or something that is not an address).
     */
    static String client(HttpHead h, Cidrs trustedProxies) {
        String chain = h.headerValues("x-forwarded-for");
        if (chain == null) {
            return null;
        }
        String[] hops = chain.split(",");
        String client = null;
        for (int i = hops.length - 1; i >= 0; i--) {
            InetAddress address = Addresses.parseLiteral(hops[i].trim());
            if (address == null) {
                return client;
            }
            client = Addresses.text(address);
            if (!trustedProxies.contains(address)) {
                return client;
            }
        }
        return client;
    }
}
