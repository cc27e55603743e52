package io.jlb.core;

import java.util.Objects;

/**
 * The outcome of one health probe.
 *
 * @param healthy whether the backend passed
 * @param reason what was seen, for logs and the status page ("tcp connect in 0.3 ms", "HTTP 503")
 */
public record ProbeResult(boolean healthy, String reason) {
    /** Validates the fields. */
    public ProbeResult {
        Objects.requireNonNull(reason, "reason");
    }

    /** A pass. */
    public static ProbeResult up(String reason) {
        return new ProbeResult(true, reason);
    }

    /** A failure. */
    public static ProbeResult down(String reason) {
        return new ProbeResult(false, reason);
    }
}
