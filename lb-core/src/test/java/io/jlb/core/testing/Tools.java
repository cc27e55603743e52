package io.jlb.core.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * External programs some tests drive as real peers (redis-server, redis-benchmark, curl, chromium). {@code .ci/run}
 * installs them and sets {@code JLB_REQUIRE_TOOLS=1}, which makes a missing one a failure; on a developer's
 * machine without them, those tests are reported as skipped, with the reason.
 */
public final class Tools {
    private Tools() {}

    /** The program on PATH, if any. */
    public static Optional<Path> find(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/usr/bin", "/usr/local/bin"}) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The program, or the test stops: failed when tools are required, skipped otherwise. */
    public static Path require(String name) {
        Optional<Path> p = find(name);
        if (p.isEmpty()) {
            String why = name + " is not installed (.ci/run installs it)";
            if (System.getenv("JLB_REQUIRE_TOOLS") != null) {
                Assertions.fail(why);
            }
            Assumptions.abort(why);
        }
        return p.get();
    }
}
