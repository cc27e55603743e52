package io.jlb.http;

import io.jlb.core.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's chromium in headless mode, one process per call: renders a page, runs its scripts for a stretch of
 * virtual time, then prints the DOM or writes a screenshot. Requires the {@code chromium} package (.ci/run installs
 * it); without it, a test that asks is skipped, or failed when {@code JLB_REQUIRE_TOOLS} is set.
 */
final class HeadlessChromium {
    private static final long TIMEOUT_SECONDS = 90;
    private final Path binary;
    private final Path profile;

    HeadlessChromium(Path scratch) throws IOException {
        this.binary = Tools.require("chromium");
        this.profile = Files.createDirectories(scratch.resolve("chromium-profile"));
    }

    /** The DOM after the page's scripts have run for {@code virtualMillis} of virtual time. */
    String dumpDom(String url, int virtualMillis, String... flags) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(flags));
        args.addAll(List.of("--virtual-time-budget=" + virtualMillis, "--dump-dom", url));
        return run(args);
    }

    /** Writes a PNG of the page, {@code width} by {@code height}, after {@code virtualMillis} of virtual time. */
    void screenshot(String url, Path png, int width, int height, int virtualMillis) throws IOException, InterruptedException {
        run(List.of("--virtual-time-budget=" + virtualMillis, "--window-size=" + width + "," + height,
                "--hide-scrollbars", "--screenshot=" + png.toAbsolutePath(), url));
        if (!Files.isRegularFile(png)) {
            throw new IOException("chromium wrote no screenshot to " + png);
        }
    }

    private String run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-background-networking", "--disable-extensions",
                "--no-first-run", "--user-data-dir=" + profile));
        command.addAll(args);
        Path out = Files.createTempFile(profile.getParent(), "chromium", ".out");
        Path err = Files.createTempFile(profile.getParent(), "chromium", ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException("chromium did not finish in " + TIMEOUT_SECONDS + " s");
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        if (p.exitValue() != 0) {
            throw new IOException("chromium exited with " + p.exitValue() + ": " + Files.readString(err));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
