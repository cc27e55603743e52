package io.jlb.core;

import java.nio.ByteBuffer;

/**
 * The 64-bit hashes behind consistent hashing: FNV-1a over the key's bytes, finished with MurmurHash3's fmix64
 * so that every output bit depends on every input bit. Deterministic across processes and JVM versions, so that
 * several balancer instances agree on where a key goes. Text is hashed by its chars; for ASCII text that equals
 * hashing its bytes, which is what the HTTP layer does with header and cookie values.
 */
final class Hashing {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Hashing() {}

    static long hash(CharSequence text) {
        long h = FNV_OFFSET;
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c >= 0x100) {
                h = (h ^ (c >>> 8)) * FNV_PRIME;
            }
            h = (h ^ (c & 0xff)) * FNV_PRIME;
        }
        return mix(h);
    }

    static long hash(byte[] bytes, int offset, int length) {
        long h = FNV_OFFSET;
        for (int i = offset, end = offset + length; i < end; i++) {
            h = (h ^ (bytes[i] & 0xff)) * FNV_PRIME;
        }
        return mix(h);
    }

    static long hash(ByteBuffer buffer, int from, int to) {
        long h = FNV_OFFSET;
        for (int i = from; i < to; i++) {
            h = (h ^ (buffer.get(i) & 0xff)) * FNV_PRIME;
        }
        return mix(h);
    }

    /** MurmurHash3's 64-bit finalizer: a bijection that avalanches. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
