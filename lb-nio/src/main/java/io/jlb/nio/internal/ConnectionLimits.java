package io.jlb.nio.internal;

/**
 * Defaults derived from the process's limits: how many client connections a proxy takes at once when not told, so
 * that a flood of connections is held in the listen backlog instead of exhausting file descriptors (an accept that
 * fails with EMFILE starves every listener, health checks and backend connections included).
 */
public final class ConnectionLimits {
    /** Descriptors kept back for listeners, backends' health checks, log files and the JVM itself. */
    static final int RESERVED = 256;
    private static final long FILE_DESCRIPTORS = fileDescriptorLimit();

    private ConnectionLimits() {}

    /** The process's limit on open file descriptors (RLIMIT_NOFILE), or -1 when the platform does not say. */
    public static long fileDescriptorLimit() {
        try {
            java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
                return unix.getMaxFileDescriptorCount();
            }
        } catch (LinkageError | RuntimeException e) {
            // a runtime without jdk.management: no limit known
        }
        return -1;
    }

    /**
     * The default connection limit of a proxy that opens one backend connection per client connection: half of
     * the descriptors left after {@link #RESERVED}, at least 64; 0 (no limit) when the descriptor limit is unknown.
     */
    public static int defaultMaxConnections() {
        if (FILE_DESCRIPTORS <= 0) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.max(64, (FILE_DESCRIPTORS - RESERVED) / 2));
    }
}
