package io.jlb.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The lb command as a child JVM from the built jar, as users and scripts run it. */
final class LbProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("lb: (\\S+) listening on (\\S+):(\\d+)");

    final Process process;
    final List<String> output = new CopyOnWriteArrayList<>();
    final Map<String, InetSocketAddress> listeners = new ConcurrentHashMap<>();

    LbProcess(String... args) throws IOException {
        Path jar = Path.of("target", "lb.jar");
        if (!jar.toFile().exists()) {
            throw new IllegalStateException("target/lb.jar is missing: integration tests run after 'package'");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        listeners.put(m.group(1), new InetSocketAddress(m.group(2), Integer.parseInt(m.group(3))));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "lb-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits until {@code names} are listening; fails with the output so far otherwise. */
    LbProcess awaitListening(String... names) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!listeners.keySet().containsAll(List.of(names))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("lb did not start " + List.of(names) + ":\n" + String.join("\n", output));
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
        return this;
    }

    /**
     * Sends SIGTERM and returns the exit status. Through the process handle: {@code Process.destroy()} would also
     * close our end of the child's output, losing what it prints while it stops.
     */
    int stop() throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("lb did not stop:\n" + String.join("\n", output));
        }
        return process.exitValue();
    }

    int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("lb did not exit:\n" + String.join("\n", output));
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
