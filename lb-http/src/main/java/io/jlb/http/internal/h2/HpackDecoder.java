package io.jlb.http.internal.h2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Decodes HPACK header blocks (RFC 7541) for one HTTP/2 connection: the static table, a dynamic table bounded by the
 * size this side allows, integers, literal strings (Huffman or not). Every field is charged against the header list
 * limit (name and value lengths plus 32 each, RFC 9113 §6.5.2) before its bytes are copied out, so a small block
 * cannot make the decoder allocate much ("HPACK bomb"): a string longer than what is left is refused from its declared
 * length. Errors are {@link Error}s with the reason; the connection ends with COMPRESSION_ERROR then. Not
 * thread-safe: one per connection, on its loop.
 */
public final class HpackDecoder {
    /** A field list's receiver. */
    public interface Sink {
        /** One field, in order; names as sent (the caller checks case and characters). */
        void field(String name, String value);
    }

    /** Why a header block cannot be decoded. */
    public static final class Error extends Exception {
        private static final long serialVersionUID = 1L;
        /** Whether the block was well formed but its fields exceed the header list limit. */
        public final boolean tooLarge;

        Error(String message, boolean tooLarge) {
            super(message, null, false, false);
            this.tooLarge = tooLarge;
        }
    }

    private final HpackTable table;
    private final int maxTableSize;
    private byte[] scratch = new byte[256];

    /** A decoder whose dynamic table may grow to {@code maxTableSize} bytes (what SETTINGS_HEADER_TABLE_SIZE said). */
    public HpackDecoder(int maxTableSize) {
        this.maxTableSize = maxTableSize;
        this.table = new HpackTable(maxTableSize);
    }

    /**
     * Decodes the block {@code [from, to)} of {@code in} into {@code sink}, refusing it when its fields exceed
     * {@code maxListSize} (RFC 9113 §6.5.2 size). The dynamic table keeps what the block added, even on a too-large
     * refusal, so that the connection's state stays in step with the peer's.
     */
    public void decode(ByteBuffer in, int from, int to, int maxListSize, Sink sink) throws Error {
        int p = from;
        long listSize = 0;
        boolean fieldsSeen = false;
        boolean tooLarge = false;
        while (p < to) {
            int b = in.get(p) & 0xff;
            if ((b & 0x80) != 0) { // indexed field
                long[] r = integer(in, p, to, 7);
                p = (int) r[1];
                int index = checkedIndex(r[0]);
                String name = table.name(index);
                String value = table.value(index);
                listSize += name.length() + value.length() + 32;
                fieldsSeen = true;
                if (listSize > maxListSize) {
                    tooLarge = true;
                } else if (!tooLarge) {
                    sink.field(name, value);
                }
            } else if ((b & 0xe0) == 0x20) { // dynamic table size update
                if (fieldsSeen) {
                    throw new Error("a table size update after a field", false);
                }
                long[] r = integer(in, p, to, 5);
                p = (int) r[1];
                if (r[0] > maxTableSize) {
                    throw new Error("table size update to " + r[0] + " over the " + maxTableSize + " allowed", false);
                }
                table.resize((int) r[0]);
            } else { // literal: with incremental indexing (01), without (0000), never indexed (0001)
                boolean indexing = (b & 0xc0) == 0x40;
                long[] r = integer(in, p, to, indexing ? 6 : 4);
                p = (int) r[1];
                // What this field may take decoded: what is left of the list's limit; for a field to index, also
                // up to the table's size, so that the table stays in step with the peer's even past the limit.
                long left = tooLarge ? 0 : maxListSize - listSize - 32;
                long cap = indexing ? Math.max(left, maxTableSize) : left;
                String name;
                if (r[0] != 0) {
                    name = table.name(checkedIndex(r[0]));
                } else {
                    long[] s = string(in, p, to, cap);
                    p = (int) s[1];
                    name = s[0] < 0 ? null : text((int) s[0]);
                }
                long[] s = string(in, p, to, name == null ? 0 : Math.max(0, cap - name.length()));
                p = (int) s[1];
                String value = s[0] < 0 ? null : text((int) s[0]);
                fieldsSeen = true;
                if (name == null || value == null) {
                    if (indexing) {
                        table.clear(); // an entry larger than the table empties it (RFC 7541 §4.4)
                    }
                    tooLarge = true;
                    continue;
                }
                if (indexing) {
                    table.add(name, value);
                }
                listSize += name.length() + value.length() + 32;
                if (listSize > maxListSize) {
                    tooLarge = true;
                } else if (!tooLarge) {
                    sink.field(name, value);
                }
            }
        }
        if (tooLarge) {
            throw new Error("header list larger than " + maxListSize + " bytes", true);
        }
    }

    private int checkedIndex(long index) throws Error {
        if (index <= 0 || index > table.length()) {
            throw new Error("index " + index + " is in neither table", false);
        }
        return (int) index;
    }

    /** An integer with an N-bit prefix at {@code p}: {value, position after it}. */
    private static long[] integer(ByteBuffer in, int p, int to, int prefix) throws Error {
        int mask = (1 << prefix) - 1;
        long value = in.get(p++) & mask;
        if (value < mask) {
            return new long[] {value, p};
        }
        int shift = 0;
        while (true) {
            if (p >= to) {
                throw new Error("an integer runs past the block", false);
            }
            int b = in.get(p++) & 0xff;
            value += (long) (b & 0x7f) << shift;
            if (value > Integer.MAX_VALUE) {
                throw new Error("an integer beyond 2^31", false);
            }
            if ((b & 0x80) == 0) {
                return new long[] {value, p};
            }
            shift += 7;
        }
    }

    /**
     * A string literal at {@code p}, decoded into {@link #scratch}: {its length, the position after it}; the length
     * is -1 (and the bytes skipped) when the literal would take more than {@code budget} bytes decoded.
     */
    private long[] string(ByteBuffer in, int p, int to, long budget) throws Error {
        if (p >= to) {
            throw new Error("a string runs past the block", false);
        }
        boolean huffman = (in.get(p) & 0x80) != 0;
        long[] r = integer(in, p, to, 7);
        int length = (int) r[0];
        p = (int) r[1];
        if (length > to - p) {
            throw new Error("a string of " + length + " bytes runs past the block", false);
        }
        if (!huffman) {
            if (length > budget) {
                return new long[] {-1, p + length};
            }
            ensure(length);
            in.get(p, scratch, 0, length);
            return new long[] {length, p + length};
        }
        long most = (long) length * 8 / 5; // the shortest code is 5 bits
        int room = (int) Math.min(most, Math.max(0, budget));
        ensure(room);
        int n = Huffman.decode(in, p, length, scratch, 0, room);
        if (n == -1) {
            throw new Error("a Huffman string is not valid", false);
        }
        if (n == -2) {
            return new long[] {-1, p + length};
        }
        return new long[] {n, p + length};
    }

    private void ensure(int n) {
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, scratch.length * 2)];
        }
    }

    private String text(int length) {
        return new String(scratch, 0, length, StandardCharsets.ISO_8859_1);
    }

    /** The dynamic table's size now, in RFC 7541 bytes (for tests and metrics). */
    public int tableSize() {
        return table.size();
    }
}
