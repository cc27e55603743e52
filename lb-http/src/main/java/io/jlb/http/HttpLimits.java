package io.jlb.http;

/**
 * Size limits on requests, charged as bytes arrive. Defaults are in the range HAProxy and NGINX use: an 8 KiB
 * request line (414 beyond), a 32 KiB head (431 beyond), 100 header fields (431 beyond), no body limit (bodies are
 * streamed, never buffered whole; set one to answer 413 beyond it).
 *
 * @param maxRequestLineBytes the longest request line
 * @param maxHeadBytes the largest request head, request line included; at most the loops' buffer size
 * @param maxHeaders the most header fields
 * @param maxBodyBytes the largest request body; 0 for no limit
 */
public record HttpLimits(int maxRequestLineBytes, int maxHeadBytes, int maxHeaders, long maxBodyBytes) {
    /** Validates the limits. */
    public HttpLimits {
        if (maxRequestLineBytes < 64) {
            throw new IllegalArgumentException("maxRequestLineBytes: " + maxRequestLineBytes + " (expected: >= 64)");
        }
        if (maxHeadBytes < maxRequestLineBytes) {
            throw new IllegalArgumentException("maxHeadBytes: " + maxHeadBytes
                    + " (expected: >= maxRequestLineBytes " + maxRequestLineBytes + ")");
        }
        if (maxHeaders < 1) {
            throw new IllegalArgumentException("maxHeaders: " + maxHeaders + " (expected: >= 1)");
        }
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: >= 0, 0 for no limit)");
        }
    }

    /** 8 KiB request line, 32 KiB head, 100 fields, no body limit. */
    public static HttpLimits defaults() {
        return new HttpLimits(8 * 1024, 32 * 1024, 100, 0);
    }

    /** A copy with another head size limit. */
    public HttpLimits withMaxHeadBytes(int bytes) {
        return new HttpLimits(Math.min(maxRequestLineBytes, bytes), bytes, maxHeaders, maxBodyBytes);
    }

    /** A copy with another body size limit (0: none). */
    public HttpLimits withMaxBodyBytes(long bytes) {
        return new HttpLimits(maxRequestLineBytes, maxHeadBytes, maxHeaders, bytes);
    }

    /** A copy with another field count limit. */
    public HttpLimits withMaxHeaders(int count) {
        return new HttpLimits(maxRequestLineBytes, maxHeadBytes, count, maxBodyBytes);
    }

    /** A copy with another request line limit. */
    public HttpLimits withMaxRequestLineBytes(int bytes) {
        return new HttpLimits(bytes, Math.max(bytes, maxHeadBytes), maxHeaders, maxBodyBytes);
    }
}
