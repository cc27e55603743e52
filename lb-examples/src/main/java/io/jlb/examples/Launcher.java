package io.jlb.examples;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/** Starts each subcommand from its arguments; {@link Main} adds the process around it. */
final class Launcher {
    static final List<String> COMMANDS = List.of("demo", "tcp", "udp", "http", "run");

    private Launcher() {}

    static String help(String command) {
        return switch (command) {
            case "tcp" -> new CommandLine("tcp", Commands.tcpOptions()).usage("--listen HOST:PORT --backend HOST:PORT ...",
                    "Forwards TCP connections to backends (L4, NAT mode): bytes relayed untouched, both ways.");
            case "udp" -> new CommandLine("udp", Commands.udpOptions()).usage("--listen HOST:PORT --backend HOST:PORT ...",
                    "Forwards UDP datagrams: each client gets a session with one backend until it falls quiet.");
            case "http" -> new CommandLine("http", Commands.httpOptions()).usage("--listen HOST:PORT --backend HOST:PORT ...",
                    "An HTTP/1.1 reverse proxy (L7): routes requests by host, path, method, headers or query.");
            case "run" -> new CommandLine("run", List.of()).usage("CONFIG.yaml",
                    "Starts every pool and listener a YAML file describes (see README.md, 'Configuration file').");
            default -> new CommandLine("demo", Demo.options()).usage("[OPTIONS]",
                    "Three demo HTTP services behind an L7 router, behind an L4 entry, with health checks.");
        };
    }

    static Running start(String command, List<String> args, PrintStream out) {
        return switch (command) {
            case "tcp" -> deploy(Commands.tcp(parse("tcp", Commands.tcpOptions(), args)),
                    Commands.threads(parse("tcp", Commands.tcpOptions(), args)), out);
            case "udp" -> deploy(Commands.udp(parse("udp", Commands.udpOptions(), args)),
                    Commands.threads(parse("udp", Commands.udpOptions(), args)), out);
            case "http" -> deploy(Commands.http(parse("http", Commands.httpOptions(), args)),
                    Commands.threads(parse("http", Commands.httpOptions(), args)), out);
            case "run" -> {
                CommandLine cl = parse("run", List.of(), args);
                if (cl.positional().size() != 1) {
                    throw new UsageException("expected one configuration file (lb run CONFIG.yaml)");
                }
                ConfigFile.Loaded loaded = ConfigFile.load(Main.path(cl.positional().get(0)));
                yield deploy(loaded.config(), loaded.threads() > 0 ? loaded.threads()
                        : Runtime.getRuntime().availableProcessors(), out);
            }
            default -> Demo.start(parse("demo", Demo.options(), args), out);
        };
    }

    private static CommandLine parse(String command, List<CommandLine.Option> options, List<String> args) {
        CommandLine cl = new CommandLine(command, options).parse(args);
        if (!command.equals("run") && !cl.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + cl.positional().get(0) + "'");
        }
        return cl;
    }

    static Running deploy(Config config, int threads, PrintStream out) {
        Deployment d = Deployment.start(config, threads);
        for (Map.Entry<String, InetSocketAddress> e : d.addresses().entrySet()) {
            out.println("lb: " + e.getKey() + " listening on " + Deployment.format(e.getValue()));
        }
        d.adminAddress().ifPresent(a -> out.println("lb: admin listening on " + Deployment.format(a)
                + " (status page http://" + Deployment.format(a) + "/, /metrics, /status, /admin/)"));
        return new Running(d, List.of());
    }
}
