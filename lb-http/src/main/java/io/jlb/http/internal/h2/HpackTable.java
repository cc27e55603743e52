package io.jlb.http.internal.h2;

/**
 * HPACK's index space (RFC 7541 §2.3): the static table (indexes 1 to 61), then a dynamic table of at most a given
 * size, newest first, whose entries count their name and value lengths plus 32. Not thread-safe.
 */
final class HpackTable {
    /** RFC 7541 Appendix A: name, value. */
    static final String[][] STATIC = {
        {":authority", ""}, {":method", "GET"}, {":method", "POST"}, {":path", "/"}, {":path", "/index.html"},
        {":scheme", "http"}, {":scheme", "https"}, {":status", "200"}, {":status", "204"}, {":status", "206"},
        {":status", "304"}, {":status", "400"}, {":status", "404"}, {":status", "500"}, {"accept-charset", ""},
        {"accept-encoding", "gzip, deflate"}, {"accept-language", ""}, {"accept-ranges", ""}, {"accept", ""},
        {"access-control-allow-origin", ""}, {"age", ""}, {"allow", ""}, {"authorization", ""},
        {"cache-control", ""}, {"content-disposition", ""}, {"content-encoding", ""}, {"content-language", ""},
        {"content-length", ""}, {"content-location", ""}, {"content-range", ""}, {"content-type", ""},
        {"cookie", ""}, {"date", ""}, {"etag", ""}, {"expect", ""}, {"expires", ""}, {"from", ""}, {"host", ""},
        {"if-match", ""}, {"if-modified-since", ""}, {"if-none-match", ""}, {"if-range", ""},
        {"if-unmodified-since", ""}, {"last-modified", ""}, {"link", ""}, {"location", ""}, {"max-forwards", ""},
        {"proxy-authenticate", ""}, {"proxy-authorization", ""}, {"range", ""}, {"referer", ""}, {"refresh", ""},
        {"retry-after", ""}, {"server", ""}, {"set-cookie", ""}, {"strict-transport-security", ""},
        {"transfer-encoding", ""}, {"user-agent", ""}, {"vary", ""}, {"via", ""}, {"www-authenticate", ""}
    };

    private String[] names = new String[8];
    private String[] values = new String[8];
    /** Ring buffer: the newest entry is at {@code head - 1}. */
    private int head;
    private int count;
    private int size;
    private int maxSize;

    HpackTable(int maxSize) {
        this.maxSize = maxSize;
    }

    /** Static entries and dynamic ones. */
    int length() {
        return STATIC.length + count;
    }

    /** Bytes the dynamic entries take. */
    int size() {
        return size;
    }

    String name(int index) {
        return index <= STATIC.length ? STATIC[index - 1][0] : names[slot(index)];
    }

    String value(int index) {
        return index <= STATIC.length ? STATIC[index - 1][1] : values[slot(index)];
    }

    private int slot(int index) {
        int age = index - STATIC.length - 1; // 0 for the newest
        return Math.floorMod(head - 1 - age, names.length);
    }

    /** Adds an entry as the newest, evicting the oldest as needed; one larger than the table empties it. */
    void add(String name, String value) {
        int entry = name.length() + value.length() + 32;
        if (entry > maxSize) {
            clear();
            return;
        }
        while (size + entry > maxSize) {
            evict();
        }
        if (count == names.length) {
            grow();
        }
        names[head] = name;
        values[head] = value;
        head = (head + 1) % names.length;
        count++;
        size += entry;
    }

    /** A new maximum size (a size update): entries that no longer fit are evicted. */
    void resize(int newMax) {
        maxSize = newMax;
        while (size > maxSize) {
            evict();
        }
    }

    /** Empties the dynamic table. */
    void clear() {
        while (count > 0) {
            evict();
        }
    }

    private void evict() {
        int oldest = Math.floorMod(head - count, names.length);
        size -= names[oldest].length() + values[oldest].length() + 32;
        names[oldest] = null;
        values[oldest] = null;
        count--;
    }

    private void grow() {
        String[] n = new String[names.length * 2];
        String[] v = new String[values.length * 2];
        for (int i = 0; i < count; i++) {
            int from = Math.floorMod(head - count + i, names.length);
            n[i] = names[from];
            v[i] = values[from];
        }
        names = n;
        values = v;
        head = count;
    }
}
