package io.jlb.core;

/**
 * Where a backend stands, as a {@link Member#state()} reports it. Only {@link #UNKNOWN} and {@link #UP} take new
 * picks; an unknown backend (not yet checked) is given traffic so that a pool is usable before its first probe.
 */
public enum BackendState {
    /** Not checked yet; eligible. */
    UNKNOWN,
    /** Healthy; eligible. */
    UP,
    /** Failed its health checks; not eligible. */
    DOWN,
    /** Taken out of rotation by an operator: existing leases finish, no new picks. */
    DRAINING,
    /** Ejected for a while by passive failure detection; not eligible until the ejection ends. */
    EJECTED;

    /** Whether a backend in this state may be picked. */
    public boolean eligible() {
        return this == UP || this == UNKNOWN;
    }

    /** The lower-case name used in logs, JSON and metrics labels. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
