package io.jlb.http.internal.h2;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Encodes header blocks for one HTTP/2 connection (RFC 7541). Fields that recur from response to response (server,
 * content-type, via, cache-control...) are added to the dynamic table once and sent as one-byte indexes after;
 * fields that change every time (date, lengths, validators, cookies) are sent as literals without indexing, and
 * credentials and cookies as never-indexed literals. Values are Huffman-coded when that is shorter. The table stays
 * within the peer's SETTINGS_HEADER_TABLE_SIZE and 4096 bytes; a smaller size from the peer is announced at the start
 * of the next block. Not thread-safe: one per connection.
 */
public final class HpackEncoder {
    private static final int OWN_MAX = 4096;
    /** The longest value worth indexing: longer ones would evict much for one hit. */
    private static final int MAX_INDEXED_VALUE = 96;
    /** Static entries 2 to 16 have values (":method GET" to "accept-encoding gzip, deflate"); the rest are names. */
    private static final int LAST_STATIC_WITH_VALUE = 16;
    private static final Map<String, Integer> STATIC_NAMES = new HashMap<>();
    private static final Map<String, Integer> STATIC_FIELDS = new HashMap<>();
    private static final java.util.Set<String> NEVER_INDEXED = java.util.Set.of("authorization", "proxy-authorization",
            "cookie", "set-cookie");
    private static final java.util.Set<String> NOT_INDEXED = java.util.Set.of("date", "content-length", "etag",
            "last-modified", "age", "expires", "location", "content-range", "x-request-id", "retry-after",
            "grpc-message", "grpc-status", ":path", "content-md5", "www-authenticate");

    static {
        for (int i = HpackTable.STATIC.length; i >= 1; i--) { // the lowest index wins
            STATIC_NAMES.put(HpackTable.STATIC[i - 1][0], i);
            STATIC_FIELDS.put(HpackTable.STATIC[i - 1][0] + '\0' + HpackTable.STATIC[i - 1][1], i);
        }
    }

    private final HpackTable table = new HpackTable(OWN_MAX);
    /** name NUL value -> insertion number, for the entries in the dynamic table. */
    private final Map<String, Long> dynamic = new HashMap<>();
    private long inserted;
    private int maxSize = OWN_MAX;
    private int pendingSizeUpdate = -1;

    /** The peer's SETTINGS_HEADER_TABLE_SIZE: the table never grows past it. */
    public void peerTableSize(int size) {
        int wanted = Math.min(OWN_MAX, size);
        if (wanted != maxSize) {
            maxSize = wanted;
            table.resize(wanted);
            prune();
            pendingSizeUpdate = pendingSizeUpdate < 0 ? wanted : Math.min(pendingSizeUpdate, wanted);
        }
    }

    /** Starts a header block: a pending table size update goes first. */
    public void begin(ByteBuffer out) {
        if (pendingSizeUpdate >= 0) {
            integer(out, 0x20, 5, pendingSizeUpdate);
            if (pendingSizeUpdate != maxSize) {
                integer(out, 0x20, 5, maxSize);
            }
            pendingSizeUpdate = -1;
        }
    }

    /** Writes one field ({@code name} lower-case) to {@code out}. */
    public void field(String name, String value, ByteBuffer out) {
        Integer nameIndex = STATIC_NAMES.get(name);
        if (NEVER_INDEXED.contains(name)) {
            literal(out, 0x10, 4, nameIndex, name, value);
            return;
        }
        if (nameIndex != null && nameIndex <= LAST_STATIC_WITH_VALUE) {
            Integer exact = STATIC_FIELDS.get(name + '\0' + value);
            if (exact != null) {
                integer(out, 0x80, 7, exact);
                return;
            }
        }
        int entry = name.length() + value.length() + 32;
        if (NOT_INDEXED.contains(name) || value.length() > MAX_INDEXED_VALUE || entry > maxSize) {
            literal(out, 0x00, 4, nameIndex, name, value);
            return;
        }
        String key = name + '\0' + value;
        Long seq = dynamic.get(key);
        if (seq != null) {
            integer(out, 0x80, 7, HpackTable.STATIC.length + 1 + (int) (inserted - seq));
            return;
        }
        literal(out, 0x40, 6, nameIndex, name, value);
        table.add(name, value);
        inserted++;
        dynamic.put(key, inserted);
        prune();
    }

    /** Forgets the index of entries the table evicted. */
    private void prune() {
        if (dynamic.size() > table.length() - HpackTable.STATIC.length) {
            long oldestKept = inserted - (table.length() - HpackTable.STATIC.length) + 1;
            dynamic.values().removeIf(seq -> seq < oldestKept);
        }
    }

    private static void literal(ByteBuffer out, int pattern, int prefix, Integer nameIndex, String name, String value) {
        if (nameIndex != null) {
            integer(out, pattern, prefix, nameIndex);
        } else {
            integer(out, pattern, prefix, 0);
            string(out, name);
        }
        string(out, value);
    }

    private static void string(ByteBuffer out, String s) {
        int huffman = Huffman.encodedLength(s);
        if (huffman < s.length()) {
            integer(out, 0x80, 7, huffman);
            Huffman.encode(s, out);
        } else {
            integer(out, 0x00, 7, s.length());
            for (int i = 0; i < s.length(); i++) {
                out.put((byte) s.charAt(i));
            }
        }
    }

    /** An integer with an N-bit prefix, the first byte's other bits {@code pattern}. */
    static void integer(ByteBuffer out, int pattern, int prefix, int value) {
        int max = (1 << prefix) - 1;
        if (value < max) {
            out.put((byte) (pattern | value));
            return;
        }
        out.put((byte) (pattern | max));
        value -= max;
        while (value >= 0x80) {
            out.put((byte) (value & 0x7f | 0x80));
            value >>>= 7;
        }
        out.put((byte) value);
    }
}
