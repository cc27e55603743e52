package io.jlb.examples;

import io.jlb.core.Backend;
import io.jlb.core.OutlierDetection;
import io.jlb.examples.CommandLine.Option;
import io.jlb.http.ForwardedHeaders;
import io.jlb.http.HttpLimits;
import io.jlb.http.HttpTimeouts;
import io.jlb.nio.ProxyProtocol;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code lb demo}: the seeds' picture on one machine. Three demo services; an L7 router on :8080 routing
 * {@code /api/v1/*} to v1, {@code /api/v2/*} to v2, {@code X-Canary: true} to the canary and everything else 95/5
 * between stable and canary; an L4 entry on :9000 in front of the router, passing the client's address with the
 * PROXY protocol (to a second router listener that requires it), so the services still see who called. Every pool
 * is health-checked; the status page, /metrics and the admin API are on :9901.
 */
final class Demo {
    private Demo() {}

    static List<Option> options() {
        return List.of(
                Option.value("http-port", "PORT", "the L7 router's port on 127.0.0.1 (default 8080)"),
                Option.value("tcp-port", "PORT", "the L4 entry's port on 127.0.0.1 (default 9000)"),
                Option.value("admin-port", "PORT", "the status page and admin API's port on 127.0.0.1 (default 9901)"),
                Option.flag("access-log", "log one line per request and connection (logger io.jlb.access)"),
                Option.value("threads", "N", "event loop threads (default: processors)"));
    }

    static Running start(CommandLine cl, PrintStream out) {
        int httpPort = Values.integer("--http-port", cl.get("http-port", "8080"), 0, 65535);
        int tcpPort = Values.integer("--tcp-port", cl.get("tcp-port", "9000"), 0, 65535);
        int adminPort = Values.integer("--admin-port", cl.get("admin-port", "9901"), 0, 65535);
        List<AutoCloseable> services = new ArrayList<>();
        DemoService v1;
        DemoService v2;
        DemoService canary;
        try {
            v1 = new DemoService("svc-1", "v1");
            services.add(v1);
            v2 = new DemoService("svc-2", "v2");
            services.add(v2);
            canary = new DemoService("svc-3", "canary");
            services.add(canary);
        } catch (IOException e) {
            services.forEach(Demo::closeQuietly);
            throw new UncheckedIOException(e);
        }
        Config.HealthSpec httpHealth = new Config.HealthSpec("http", "/health", Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3);
        Config.HealthSpec tcpHealth = new Config.HealthSpec("tcp", null, Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3);
        List<Config.PoolSpec> pools = List.of(
                pool("api-v1", httpHealth, v1),
                pool("api-v2", httpHealth, v2),
                pool("stable", httpHealth, v1, v2),
                pool("canary", httpHealth, canary),
                new Config.PoolSpec("routers", List.of(), "p2c", tcpHealth, Duration.ZERO, OutlierDetection.defaults(), 0, null));
        List<Config.Route> routes = List.of(
                RouteSpecs.parse("demo", "path=/api/v1/* -> api-v1"),
                RouteSpecs.parse("demo", "path=/api/v2/* -> api-v2"),
                RouteSpecs.parse("demo", "header=X-Canary:true -> canary"),
                RouteSpecs.parse("demo", "-> stable:95,canary:5"));
        Config config = new Config(pools, List.of(
                router("router", "127.0.0.1:" + httpPort, routes, false),
                router("router-behind-l4", "127.0.0.1:0", routes, true),
                new Config.Tcp("edge", "127.0.0.1:" + tcpPort, "routers", List.of(), ProxyProtocol.V2, false,
                        Duration.ofSeconds(5), Duration.ofMinutes(10), 3, -1, 0, Duration.ofSeconds(5))),
                new Config.Observability(new Config.Admin("127.0.0.1:" + adminPort, null), cl.flag("access-log")));
        Deployment d;
        try {
            d = Deployment.start(config, cl.get("threads") == null ? Runtime.getRuntime().availableProcessors()
                    : Values.integer("--threads", cl.get("threads"), 1, 1024));
        } catch (RuntimeException e) {
            services.forEach(Demo::closeQuietly);
            throw e;
        }
        Map<String, InetSocketAddress> a = d.addresses();
        // The L4 entry's backend is the router listener that requires the PROXY protocol: known once bound.
        d.loadBalancer().pool("routers").add(Backend.of(a.get("router-behind-l4")).withName("l7-router"));
        String http = Deployment.format(a.get("router"));
        String tcp = Deployment.format(a.get("edge"));
        String admin = Deployment.format(d.adminAddress().orElseThrow());
        out.println();
        out.println("jlb demo is running:");
        out.println("  services     " + v1.name() + " (v1) " + v1.hostPort() + ", " + v2.name() + " (v2) " + v2.hostPort()
                + ", " + canary.name() + " (canary) " + canary.hostPort());
        out.println("  L7 router    http://" + http + "   routes: /api/v1/* -> v1, /api/v2/* -> v2, X-Canary: true -> canary,");
        out.println("                                          everything else 95% stable (v1+v2), 5% canary");
        out.println("  L4 entry     " + tcp + "          TCP -> (PROXY v2) -> L7 router -> services");
        out.println("  status page  http://" + admin + "/    live pools, backends, rates and latencies");
        out.println();
        out.println("Try:");
        out.println("  curl -s http://" + http + "/api/v1/users");
        out.println("  curl -s http://" + http + "/api/v2/orders");
        out.println("  curl -s -H 'X-Canary: true' http://" + http + "/");
        out.println("  for i in $(seq 20); do curl -s http://" + http + "/; done     # mostly v1/v2, about 1 in 20 canary");
        out.println("  curl -s http://" + tcp + "/api/v1/users     # via the L4 entry: forwarded-for is still your address");
        out.println("  curl -s http://" + admin + "/metrics | grep jlb_backend_selected_total");
        out.println("  curl -s -X POST http://" + admin + "/admin/pools/stable/backends/svc-1/drain   # then .../undrain");
        out.println();
        out.println("Ctrl-C stops it.");
        return new Running(d, services);
    }

    private static Config.PoolSpec pool(String name, Config.HealthSpec health, DemoService... services) {
        List<Backend> backends = new ArrayList<>();
        for (DemoService s : services) {
            backends.add(Backend.parse(s.hostPort()).withName(s.name()));
        }
        return new Config.PoolSpec(name, backends, "p2c", health, Duration.ZERO, OutlierDetection.defaults(), 0, null);
    }

    private static Config.Http router(String name, String listen, List<Config.Route> routes, boolean acceptProxy) {
        return new Config.Http(name, listen, routes, HttpLimits.defaults(), HttpTimeouts.defaults(),
                ForwardedHeaders.defaults(), acceptProxy, 3, 1024, -1, Duration.ofSeconds(5), null);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // stopping anyway
        }
    }
}
