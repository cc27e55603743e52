package io.jlb.examples;

import java.io.PrintStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code lb} command: {@code demo}, {@code tcp}, {@code udp}, {@code http}, {@code run CONFIG}. Each starts
 * its listeners, prints their addresses, and runs until SIGINT or SIGTERM, then drains and exits 0. A mistake in
 * an option or a file is reported as one line naming it, with exit status 2; a port already in use, exit status 1.
 */
public final class Main {
    private static final String USAGE = """
            Usage: lb COMMAND [OPTIONS]

            jlb, an embeddable L4/L7 load balancer.

            Commands:
              demo          three demo services behind an L7 router, behind an L4 entry (try this first)
              tcp           an L4 TCP proxy:  lb tcp --listen 127.0.0.1:6380 --backend 127.0.0.1:6379
              udp           an L4 UDP proxy:  lb udp --listen 127.0.0.1:5353 --backend 127.0.0.1:53
              http          an L7 HTTP proxy: lb http --listen 127.0.0.1:8080 --backend 127.0.0.1:9001
              run CONFIG    everything a YAML file describes: pools, listeners, routes, policies

            Run 'lb COMMAND --help' for a command's options.
            """;

    private Main() {}

    /** Runs the command and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, true));
    }

    /** Runs a command; with {@code wait}, blocks until a signal. Returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err, boolean wait) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        Running running;
        try {
            running = start(command, rest, out);
        } catch (UsageException e) {
            err.println("lb " + command + ": " + e.getMessage());
            if (!e.getMessage().contains("cannot listen")) {
                err.println("Try 'lb " + (Launcher.COMMANDS.contains(command) ? command + " " : "") + "--help'.");
                return 2;
            }
            return 1;
        }
        if (running == null) {
            return 0; // --help
        }
        if (!wait) {
            running.close();
            return 0;
        }
        CountDownLatch stop = new CountDownLatch(1);
        onSignal(stop::countDown);
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.println("lb: stopping (draining open connections)");
        running.close();
        out.println("lb: stopped");
        return 0;
    }

    /** Starts a command; null after printing its help. */
    static Running start(String command, List<String> args, PrintStream out) {
        if (!Launcher.COMMANDS.contains(command)) {
            throw new UsageException("unknown command '" + command + "' (expected: one of "
                    + String.join(", ", Launcher.COMMANDS) + ")");
        }
        if (args.contains("--help") || args.contains("-h")) {
            out.print(Launcher.help(command));
            return null;
        }
        return Launcher.start(command, args, out);
    }

    /**
     * Runs {@code action} on SIGINT and SIGTERM instead of the JVM's default exit, so that the process can drain
     * and exit 0. Falls back to a shutdown hook where the JDK's signal API is unavailable.
     */
    static void onSignal(Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            InvocationHandler invoke = (proxy, method, params) -> {
                if (method.getName().equals("handle")) {
                    action.run();
                }
                return null;
            };
            Object h = Proxy.newProxyInstance(Main.class.getClassLoader(), new Class<?>[] {handler}, invoke);
            for (String name : List.of("INT", "TERM")) {
                signal.getMethod("handle", signal, handler).invoke(null, signal.getConstructor(String.class).newInstance(name), h);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            Runtime.getRuntime().addShutdownHook(new Thread(action));
        }
    }

    static Path path(String text) {
        return Path.of(text);
    }
}
