package io.jlb.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * What a {@link Selector} may use to choose a backend: the client's address and an optional hash key.
 *
 * <p>Hashing selectors ({@code ip-hash}, {@code ring-hash}, {@code maglev}) use {@link #hash()}: the hash of the
 * explicit key when one was given (an HTTP header or cookie value), otherwise the hash of the client's address.
 * Without either they fall back to a random choice. Immutable and thread-safe; the hash is computed once, when the
 * context is made, so a pick does no hashing.
 *
 * <pre>{@code
 * PickContext byClient = PickContext.of(clientSocketAddress);
 * PickContext bySession = PickContext.ofKey(sessionId);
 * }</pre>
 */
public final class PickContext {
    /** A context with neither client address nor key. */
    public static final PickContext EMPTY = new PickContext(null, 0L, false);

    private final InetAddress clientAddress;
    private final long hash;
    private final boolean hasHash;

    private PickContext(InetAddress clientAddress, long hash, boolean hasHash) {
        this.clientAddress = clientAddress;
        this.hash = hash;
        this.hasHash = hasHash;
    }

    /** A context for a client at {@code address}, hashing on the address. */
    public static PickContext of(InetAddress address) {
        Objects.requireNonNull(address, "address");
        byte[] raw = address.getAddress();
        return new PickContext(address, Hashing.hash(raw, 0, raw.length), true);
    }

    /** A context for a client at {@code address} (its port is ignored), hashing on the IP address. */
    public static PickContext of(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.getAddress() == null) {
            return ofKey(address.getHostString());
        }
        return of(address.getAddress());
    }

    /** A context hashing on {@code key}, with no client address. */
    public static PickContext ofKey(CharSequence key) {
        return EMPTY.withKey(key);
    }

    /** A copy hashing on {@code key} instead of the client address. */
    public PickContext withKey(CharSequence key) {
        Objects.requireNonNull(key, "key");
        return new PickContext(clientAddress, Hashing.hash(key), true);
    }

    /** A copy hashing on a key hash computed by {@link #keyHash(CharSequence)} or {@link #keyHash(ByteBuffer, int, int)}. */
    public PickContext withKeyHash(long keyHash) {
        return new PickContext(clientAddress, keyHash, true);
    }

    /** The 64-bit hash that hashing selectors use for {@code key}. */
    public static long keyHash(CharSequence key) {
        return Hashing.hash(key);
    }

    /** The hash of the bytes {@code from} (inclusive) to {@code to} (exclusive) of {@code buffer}, read absolutely. */
    public static long keyHash(ByteBuffer buffer, int from, int to) {
        return Hashing.hash(buffer, from, to);
    }

    /** The client's address, or null when unknown. */
    public InetAddress clientAddress() {
        return clientAddress;
    }

    /** Whether {@link #hash()} holds a key or address hash. */
    public boolean hasHash() {
        return hasHash;
    }

    /** The hash of the key, or else of the client's address; 0 when {@link #hasHash()} is false. */
    public long hash() {
        return hash;
    }

    @Override
    public String toString() {
        return "PickContext[client=" + (clientAddress == null ? "-" : clientAddress.getHostAddress())
                + (hasHash ? ", hash=" + Long.toHexString(hash) : "") + "]";
    }
}
