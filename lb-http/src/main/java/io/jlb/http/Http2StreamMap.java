package io.jlb.http;

/** Open streams by id: open addressing over ints, no boxing. */
final class Http2StreamMap {
    private int[] keys = new int[32];
    private Http2Stream[] values = new Http2Stream[32];
    private int size;

    int size() {
        return size;
    }

    Http2Stream get(int key) {
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            if (values[i] == null) {
                return null;
            }
            if (keys[i] == key) {
                return values[i];
            }
        }
    }

    void put(int key, Http2Stream value) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = mix(key) & mask;
        while (values[i] != null && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (values[i] == null) {
            size++;
        }
        keys[i] = key;
        values[i] = value;
    }

    Http2Stream remove(int key) {
        int mask = keys.length - 1;
        int i = mix(key) & mask;
        while (values[i] != null && keys[i] != key) {
            i = (i + 1) & mask;
        }
        Http2Stream v = values[i];
        if (v == null) {
            return null;
        }
        values[i] = null;
        size--;
        for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) { // re-seat the cluster after it
            int k = keys[j];
            Http2Stream moved = values[j];
            values[j] = null;
            size--;
            put(k, moved);
        }
        return v;
    }

    void forEach(java.util.function.Consumer<Http2Stream> action) {
        for (Http2Stream s : values.clone()) {
            if (s != null) {
                action.accept(s);
            }
        }
    }

    private void grow() {
        int[] k = keys;
        Http2Stream[] v = values;
        keys = new int[k.length * 2];
        values = new Http2Stream[v.length * 2];
        size = 0;
        for (int i = 0; i < k.length; i++) {
            if (v[i] != null) {
                put(k[i], v[i]);
            }
        }
    }

    private static int mix(int key) {
        return key * 0x9E3779B9 >>> 16 ^ key;
    }
}
