package io.jlb.examples;

import io.jlb.core.Backend;
import io.jlb.core.DnsDiscovery;
import io.jlb.core.DnsResolver;
import io.jlb.core.OutlierDetection;
import io.jlb.core.Selector;
import io.jlb.examples.CommandLine.Option;
import io.jlb.http.ForwardedHeaders;
import io.jlb.http.HttpLimits;
import io.jlb.http.HttpTimeouts;
import io.jlb.nio.ProxyProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code tcp}, {@code udp} and {@code http} subcommands: options to a {@link Config}. */
final class Commands {
    static final String DEFAULT_POOL = "default";

    private Commands() {}

    // ---- options shared by every subcommand that has pools ----

    static List<Option> poolOptions() {
        return List.of(
                Option.repeated("backend", "HOST:PORT[,weight=N][,backup][,name=N][,pool=P]",
                        "a backend; pool=P groups backends for routes (default pool: 'default')"),
                Option.repeated("discover", "dns:HOST:PORT[,...] | srv:NAME[,...]", "backends from DNS, re-resolved: "
                        + "A/AAAA records at PORT, or SRV records; options interval=10s, server=H:P (repeatable), "
                        + "weight=N (dns), pool=P"),
                Option.value("algorithm", "NAME", "load-balancing algorithm: " + String.join(", ", Selector.names())
                        + " (default p2c)"),
                Option.value("health", "SPEC", "active checks: tcp[,interval=2s,timeout=1s,rise=2,fall=3] or "
                        + "http:/path[,expect=200-399,body=TEXT,...]"),
                Option.value("passive", "SPEC", "passive failure detection: off, or failures=5,eject=10s,max-eject=5m,"
                        + "max-percent=50,fail-on=gateway|5xx (default on, counting 502, 503, 504 and connect failures)"),
                Option.value("slow-start", "DURATION", "ramp new and recovered backends up over this window"),
                Option.value("panic-threshold", "PERCENT", "use every backend when fewer are healthy, 0 off (default 50)"),
                Option.value("threads", "N", "event loop threads (default: processors)"));
    }

    static List<Option> observabilityOptions() {
        return List.of(
                Option.value("admin", "HOST:PORT", "serve the status page, /metrics, /status and /admin/ here "
                        + "(keep it on loopback or set a token)"),
                Option.flag("admin-insecure", "let --admin listen beyond loopback without a token (anyone who "
                        + "reaches it can change the pools)"),
                Option.value("admin-token", "TOKEN", "require 'Authorization: Bearer TOKEN' on the admin listener "
                        + "(default: $JLB_ADMIN_TOKEN)"),
                Option.flag("access-log", "one line per request or connection, to the logger io.jlb.access"));
    }

    static List<Option> tlsOptions() {
        return List.of(
                Option.repeated("tls", "cert=CHAIN.pem,key=KEY.pem | pkcs12=FILE[,password=P]", "terminate TLS with "
                        + "this certificate (repeatable: chosen by SNI, the first is the default)"),
                Option.value("tls-protocols", "TLSv1.3[,TLSv1.2]", "TLS versions offered (default both)"),
                Option.value("tls-client-auth", "required|optional,ca=CA.pem", "ask clients for certificates (mTLS)"),
                Option.value("tls-reload", "DURATION", "look for changed certificate files this often and reload them"),
                Option.value("tls-provider", "jdk|conscrypt|accp[,jar=PATH]", "the TLS implementation: the JDK's "
                        + "(default), Conscrypt's, or the JDK's over ACCP's crypto; its jar on the class path or at PATH"));
    }

    /** The TLS the options ask for, for the listener {@code name}. */
    static Config.Tls tls(CommandLine cl, String name) {
        List<String> certs = cl.all("tls");
        if (certs.isEmpty()) {
            for (String o : List.of("tls-protocols", "tls-client-auth", "tls-reload", "tls-provider")) {
                if (cl.get(o) != null) {
                    throw new UsageException("--" + o + ": goes with --tls");
                }
            }
            return backendTls(cl, Config.Tls.NONE);
        }
        List<TlsSpecs.Certificate> certificates = new ArrayList<>();
        certs.forEach(c -> certificates.add(TlsSpecs.certificate("--tls", c)));
        String[] auth = cl.get("tls-client-auth") == null ? new String[] {null, null}
                : TlsSpecs.clientAuth("--tls-client-auth", cl.get("tls-client-auth"));
        List<String> protocols = cl.get("tls-protocols") == null ? null : List.of(cl.get("tls-protocols").split(","));
        String provider = cl.get("tls-provider") == null ? null : TlsProviders.install("--tls-provider", cl.get("tls-provider"));
        io.jlb.nio.ServerTls server = TlsSpecs.server("--tls", certificates, protocols, auth[0],
                auth[1] == null ? null : java.nio.file.Path.of(auth[1]), provider);
        Duration reload = cl.get("tls-reload") == null ? null : Values.duration("--tls-reload", cl.get("tls-reload"));
        return backendTls(cl, new Config.Tls(Map.of(name, new TlsSpecs.ListenerTls(server, reload, null)), Map.of(), null));
    }

    private static Config.Tls backendTls(CommandLine cl, Config.Tls tls) {
        if (cl.get("backend-tls") == null) {
            return tls;
        }
        return new Config.Tls(tls.listeners(), tls.pools(), TlsSpecs.client("--backend-tls", cl.get("backend-tls")));
    }

    /** The admin listener and access log the options ask for. */
    static Config.Observability observability(CommandLine cl) {
        String token = cl.get("admin-token", System.getenv("JLB_ADMIN_TOKEN"));
        if (token != null && token.isBlank()) {
            token = null;
        }
        Config.Admin admin = null;
        if (cl.get("admin") != null) {
            admin = new Config.Admin(hostPort("--admin", cl.get("admin")), token, cl.flag("admin-insecure"));
        } else if (cl.get("admin-token") != null) {
            throw new UsageException("--admin-token: no --admin listener to guard");
        } else if (cl.flag("admin-insecure")) {
            throw new UsageException("--admin-insecure: goes with --admin");
        }
        return new Config.Observability(admin, cl.flag("access-log"));
    }

    /** Pools from {@code --backend} options, all with the same settings. */
    static List<Config.PoolSpec> pools(CommandLine cl) {
        List<String> specs = cl.all("backend");
        if (specs.isEmpty() && cl.all("discover").isEmpty()) {
            throw new UsageException("--backend is required (at least one), or --discover");
        }
        Map<String, List<Backend>> byPool = new LinkedHashMap<>();
        for (String s : specs) {
            Values.BackendSpec b = Values.backendSpec("--backend", s);
            byPool.computeIfAbsent(b.pool() != null ? b.pool() : DEFAULT_POOL, k -> new ArrayList<>()).add(b.backend());
        }
        Map<String, DnsDiscovery> discovery = new LinkedHashMap<>();
        for (String s : cl.all("discover")) {
            String pool = DEFAULT_POOL;
            String spec = s;
            int at = s.indexOf(",pool=");
            if (at >= 0) {
                int end = s.indexOf(',', at + 1);
                pool = s.substring(at + 6, end < 0 ? s.length() : end);
                spec = s.substring(0, at) + (end < 0 ? "" : s.substring(end));
            }
            if (discovery.put(pool, discovery("--discover", spec)) != null) {
                throw new UsageException("--discover: pool '" + pool + "' is given two names to discover");
            }
            byPool.computeIfAbsent(pool, k -> new ArrayList<>());
        }
        String algorithm = cl.get("algorithm", "p2c");
        try {
            Selector.named(algorithm);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--algorithm: " + e.getMessage());
        }
        Config.HealthSpec health = cl.get("health") == null ? null : health("--health", cl.get("health"));
        OutlierDetection passive = passive("--passive", cl.get("passive", "on"));
        Duration slowStart = cl.get("slow-start") == null ? Duration.ZERO : Values.duration("--slow-start", cl.get("slow-start"));
        int panic = cl.get("panic-threshold") == null ? 50 : Values.integer("--panic-threshold", cl.get("panic-threshold"), 0, 100);
        List<Config.PoolSpec> pools = new ArrayList<>();
        byPool.forEach((name, backends) -> pools.add(new Config.PoolSpec(name, backends, algorithm, health, slowStart,
                passive, panic, discovery.get(name))));
        return pools;
    }

    static int threads(CommandLine cl) {
        return cl.get("threads") == null ? Runtime.getRuntime().availableProcessors()
                : Values.integer("--threads", cl.get("threads"), 1, 1024);
    }

    /** {@code tcp[,k=v...]} or {@code http:/path[,k=v...]}. */
    static Config.HealthSpec health(String what, String spec) {
        String kind;
        String rest;
        if (spec.equals("tcp") || spec.startsWith("tcp,")) {
            kind = "tcp";
            rest = spec.substring(3);
        } else if (spec.startsWith("http:")) {
            kind = "http";
            rest = spec.substring(5);
        } else {
            throw new UsageException(what + ": '" + spec + "' (expected: tcp[,...] or http:/path[,...])");
        }
        Duration interval = Duration.ofSeconds(2);
        Duration timeout = Duration.ofSeconds(1);
        int rise = 2;
        int fall = 3;
        List<String> probe = new ArrayList<>();
        for (String part : rest.split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : part.substring(eq + 1);
            switch (key) {
                case "interval" -> interval = Values.duration(what + " interval", value);
                case "timeout" -> timeout = Values.duration(what + " timeout", value);
                case "rise" -> rise = Values.integer(what + " rise", value, 1, 100);
                case "fall" -> fall = Values.integer(what + " fall", value, 1, 100);
                default -> {
                    if (kind.equals("tcp")) {
                        throw new UsageException(what + ": unknown option '" + key + "' (expected: interval, timeout, rise, fall)");
                    }
                    probe.add(part);
                }
            }
        }
        if (interval.isZero() || timeout.isZero()) {
            throw new UsageException(what + ": interval and timeout must be above 0");
        }
        String httpSpec = null;
        if (kind.equals("http")) {
            httpSpec = String.join(",", probe);
            try {
                io.jlb.http.HttpHealthProbe.parse(httpSpec).close();
            } catch (IllegalArgumentException e) {
                throw new UsageException(what + ": " + e.getMessage());
            }
        }
        return new Config.HealthSpec(kind, httpSpec, interval, timeout, rise, fall);
    }

    /** {@code dns:HOST:PORT[,interval=..][,server=H:P][,weight=N]} or {@code srv:NAME[,interval=..][,server=H:P]}. */
    static DnsDiscovery discovery(String what, String spec) {
        String[] parts = spec.split(",");
        String head = parts[0];
        DnsDiscovery d;
        try {
            if (head.startsWith("dns:")) {
                int colon = head.lastIndexOf(':');
                if (colon <= 4) {
                    throw new UsageException(what + ": '" + spec + "' (expected: dns:HOST:PORT)");
                }
                d = DnsDiscovery.addresses(head.substring(4, colon), Values.integer(what + " port", head.substring(colon + 1), 1, 65535));
            } else if (head.startsWith("srv:")) {
                d = DnsDiscovery.srv(head.substring(4));
            } else {
                throw new UsageException(what + ": '" + spec + "' (expected: dns:HOST:PORT[,...] or srv:NAME[,...])");
            }
            List<String> servers = new ArrayList<>();
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                String key = eq < 0 ? parts[i] : parts[i].substring(0, eq);
                String value = eq < 0 ? "" : parts[i].substring(eq + 1);
                switch (key) {
                    case "interval" -> d = d.withInterval(Values.duration(what + " interval", value));
                    case "server" -> servers.add(hostPort(what + " server", value));
                    case "weight" -> d = d.withWeight(Values.integer(what + " weight", value, 1, Backend.MAX_WEIGHT));
                    default -> throw new UsageException(what + ": unknown option '" + key
                            + "' (expected: interval, server, weight, pool)");
                }
            }
            if (!servers.isEmpty()) {
                d = d.withResolver(DnsResolver.servers(servers.toArray(String[]::new)));
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(what + ": " + e.getMessage());
        }
        return d;
    }

    /** {@code off}, {@code on}, or {@code failures=5,eject=10s,max-eject=5m,max-percent=50}. */
    static OutlierDetection passive(String what, String spec) {
        if (spec.equals("off")) {
            return OutlierDetection.disabled();
        }
        OutlierDetection o = OutlierDetection.defaults();
        if (spec.equals("on")) {
            return o;
        }
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : part.substring(eq + 1);
            try {
                o = switch (key) {
                    case "failures" -> o.withConsecutiveFailures(Values.integer(what + " failures", value, 1, 1000));
                    case "eject" -> o.withBaseEjectionTime(Values.duration(what + " eject", value));
                    case "max-eject" -> o.withMaxEjectionTime(Values.duration(what + " max-eject", value));
                    case "max-percent" -> o.withMaxEjectionPercent(Values.integer(what + " max-percent", value, 0, 100));
                    case "fail-on" -> o.withFailOn(failOn(what, value));
                    default -> throw new UsageException(what + ": unknown option '" + key
                            + "' (expected: off, or failures, eject, max-eject, max-percent, fail-on)");
                };
            } catch (IllegalArgumentException e) {
                throw new UsageException(what + ": " + e.getMessage());
            }
        }
        return o;
    }

    /** {@code gateway} (502, 503, 504) or {@code 5xx}. */
    static OutlierDetection.FailOn failOn(String what, String value) {
        return switch (value) {
            case "gateway" -> OutlierDetection.FailOn.GATEWAY_ERRORS;
            case "5xx" -> OutlierDetection.FailOn.ANY_5XX;
            default -> throw new UsageException(what + " fail-on: '" + value + "' (expected: gateway or 5xx)");
        };
    }

    private static void checkPools(String what, List<Config.PoolSpec> pools, java.util.Collection<String> used) {
        List<String> defined = pools.stream().map(Config.PoolSpec::name).toList();
        for (String p : used) {
            if (!defined.contains(p)) {
                throw new UsageException(what + ": pool '" + p + "' has no backend (give one with --backend HOST:PORT,pool="
                        + p + "; pools: " + String.join(", ", defined) + ")");
            }
        }
    }

    // ---- tcp ----

    static List<Option> tcpOptions() {
        List<Option> o = new ArrayList<>(List.of(
                Option.required("listen", "HOST:PORT", "address to listen on (port 0: any free port)")));
        o.addAll(poolOptions());
        o.addAll(List.of(
                Option.value("proxy-protocol", "v1|v2", "send the client's address to backends with the PROXY protocol"),
                Option.flag("accept-proxy-protocol", "require the PROXY protocol from a balancer in front"),
                Option.repeated("sni", "'PATTERN -> POOL'", "route TLS by the ClientHello's server name (passthrough)"),
                Option.value("connect-timeout", "DURATION", "backend connect timeout (default 5s)"),
                Option.value("idle-timeout", "DURATION", "close connections idle this long, 0 never (default 10m)"),
                Option.value("connect-attempts", "N", "backends to try per connection (default 3)"),
                Option.value("max-connections", "N", "client connections at once, 0 unlimited (default: half the "
                        + "file-descriptor limit)"),
                Option.value("max-connections-per-backend", "N", "connections per backend, 0 unlimited (default 0)"),
                Option.value("drain-timeout", "DURATION", "on shutdown, time for open connections to finish (default 30s)")));
        o.addAll(tlsOptions());
        o.addAll(observabilityOptions());
        return o;
    }

    static Config tcp(CommandLine cl) {
        List<Config.PoolSpec> pools = pools(cl);
        List<Config.Sni> sni = new ArrayList<>();
        for (String s : cl.all("sni")) {
            int arrow = s.indexOf("->");
            if (arrow < 0) {
                throw new UsageException("--sni: '" + s + "' (expected: 'PATTERN -> POOL')");
            }
            sni.add(new Config.Sni(s.substring(0, arrow).trim(), s.substring(arrow + 2).trim()));
        }
        List<String> used = new ArrayList<>(sni.stream().map(Config.Sni::pool).toList());
        boolean hasDefault = pools.stream().anyMatch(p -> p.name().equals(DEFAULT_POOL));
        if (sni.isEmpty()) {
            used.add(DEFAULT_POOL);
        }
        checkPools("--sni", pools, used);
        ProxyProtocol pp = null;
        if (cl.get("proxy-protocol") != null) {
            try {
                pp = ProxyProtocol.parse(cl.get("proxy-protocol"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--proxy-protocol: " + e.getMessage());
            }
        }
        Config.Tcp listener = new Config.Tcp("tcp", listen(cl), hasDefault ? DEFAULT_POOL : null, sni, pp,
                cl.flag("accept-proxy-protocol"),
                Values.duration("--connect-timeout", cl.get("connect-timeout", "5s")),
                Values.duration("--idle-timeout", cl.get("idle-timeout", "10m")),
                Values.integer("--connect-attempts", cl.get("connect-attempts", "3"), 1, 100),
                maxConnections(cl),
                Values.integer("--max-connections-per-backend", cl.get("max-connections-per-backend", "0"), 0, Integer.MAX_VALUE),
                Values.duration("--drain-timeout", cl.get("drain-timeout", "30s")));
        if (listener.connectTimeout().isZero()) {
            throw new UsageException("--connect-timeout: must be above 0");
        }
        return new Config(pools, List.of(listener), observability(cl)).withTls(tls(cl, "tcp"));
    }

    /** {@code --max-connections}, or -1 for the default derived from the file-descriptor limit. */
    private static int maxConnections(CommandLine cl) {
        return cl.get("max-connections") == null ? -1
                : Values.integer("--max-connections", cl.get("max-connections"), 0, Integer.MAX_VALUE);
    }

    private static String listen(CommandLine cl) {
        return hostPort("--listen", cl.get("listen"));
    }

    static String hostPort(String what, String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new UsageException(what + ": '" + value + "' (expected: HOST:PORT)");
        }
        Values.integer(what + " port", value.substring(colon + 1), 0, 65535);
        return value;
    }

    // ---- udp ----

    static List<Option> udpOptions() {
        List<Option> o = new ArrayList<>(List.of(
                Option.required("listen", "HOST:PORT", "address to listen on (port 0: any free port)")));
        o.addAll(poolOptions());
        o.addAll(List.of(
                Option.value("session-timeout", "DURATION", "a client's session ends after this long quiet (default 30s)"),
                Option.value("max-sessions", "N", "sessions at once (default 65536)")));
        o.addAll(observabilityOptions());
        return o;
    }

    static Config udp(CommandLine cl) {
        List<Config.PoolSpec> pools = pools(cl);
        checkPools("--backend", pools, List.of(DEFAULT_POOL));
        Duration session = Values.duration("--session-timeout", cl.get("session-timeout", "30s"));
        if (session.isZero()) {
            throw new UsageException("--session-timeout: must be above 0");
        }
        return new Config(pools, List.of(new Config.Udp("udp", listen(cl), DEFAULT_POOL, session,
                Values.integer("--max-sessions", cl.get("max-sessions", "65536"), 1, Integer.MAX_VALUE))),
                observability(cl));
    }

    // ---- http ----

    static List<Option> httpOptions() {
        List<Option> o = new ArrayList<>(List.of(
                Option.required("listen", "HOST:PORT", "address to listen on (port 0: any free port)")));
        o.addAll(poolOptions());
        o.addAll(List.of(
                Option.repeated("route", "'CONDITIONS -> POOL'", "route requests, first match wins; CONDITIONS: "
                        + "host=, path=, prefix=, regex=, method=, header=, header-regex=, query=; POOL: name or "
                        + "a:95,b:5; optional strip=/prefix after the pool"),
                Option.value("header-timeout", "DURATION", "time to receive a request head (default 10s)"),
                Option.value("idle-timeout", "DURATION", "client inactivity / keep-alive idle (default 60s)"),
                Option.value("connect-timeout", "DURATION", "backend connect timeout (default 5s)"),
                Option.value("response-timeout", "DURATION", "backend inactivity during an exchange (default 60s)"),
                Option.value("max-header-bytes", "SIZE", "largest request head (default 32k)"),
                Option.value("max-request-line", "SIZE", "longest request line (default 8k)"),
                Option.value("max-headers", "N", "most header fields (default 100)"),
                Option.value("max-body-bytes", "SIZE", "largest request body, 0 unlimited (default 0)"),
                Option.value("forwarded-headers", "on|off", "add X-Forwarded-*, Forwarded and Via (default on)"),
                Option.value("via", "NAME", "the pseudonym in Via (default jlb)"),
                Option.flag("accept-proxy-protocol", "require the PROXY protocol from an L4 balancer in front"),
                Option.value("connect-attempts", "N", "backends to try per request (default 3)"),
                Option.value("max-idle-per-backend", "N", "idle keep-alive connections per backend per thread (default 1024)"),
                Option.value("max-connections", "N", "client connections at once, 0 unlimited (default: half the "
                        + "file-descriptor limit)"),
                Option.value("keep-alive-under-load", "DURATION", "idle keep-alive timeout above 80% of "
                        + "--max-connections (default 2s)"),
                Option.value("drain-timeout", "DURATION", "on shutdown, time for exchanges to finish (default 30s)"),
                Option.value("trusted-proxies", "CIDR[,CIDR...]", "believe X-Forwarded-For, Forwarded and X-Real-IP "
                        + "from these peers only (default: none; from others they are replaced)"),
                Option.value("path-normalization", "merge-slashes=on,encoded-slash=reject,backslash=reject",
                        "how paths are normalized before routing (reject|keep|decode for %2F and backslashes)"),
                Option.value("backend-tls", "on | ca=CA.pem[,server-name=N,verify=false]", "reach backends over TLS, "
                        + "verifying their certificates (the JDK's CAs unless ca= is given)"),
                Option.value("http2", "on|off[,SETTING=VALUE...]", Http2Specs.HELP)));
        o.addAll(PolicyTable.options());
        o.addAll(tlsOptions());
        o.addAll(observabilityOptions());
        return o;
    }

    /** The listener-wide policies the options ask for; null when none. */
    static io.jlb.http.Policies policies(CommandLine cl) {
        return PolicyTable.fromCommandLine(cl);
    }

    static Config http(CommandLine cl) {
        List<Config.PoolSpec> pools = pools(cl);
        List<Config.Route> routes = new ArrayList<>();
        for (String r : cl.all("route")) {
            routes.add(RouteSpecs.parse("--route", r));
        }
        boolean catchAll = routes.stream().anyMatch(r -> r.conditions().isEmpty());
        if (!catchAll && pools.stream().anyMatch(p -> p.name().equals(DEFAULT_POOL))) {
            routes.add(new Config.Route(List.of(), Map.of(DEFAULT_POOL, 1), null, "-> " + DEFAULT_POOL));
        }
        List<String> used = new ArrayList<>();
        routes.forEach(r -> used.addAll(r.targets().keySet()));
        checkPools("--route", pools, used);
        return new Config(pools, List.of(httpListener("http", listen(cl), routes, cl)), observability(cl))
                .withTls(tls(cl, "http"));
    }

    static Config.Http httpListener(String name, String listen, List<Config.Route> routes, CommandLine cl) {
        HttpLimits limits = HttpLimits.defaults();
        try {
            if (cl.get("max-request-line") != null) {
                limits = limits.withMaxRequestLineBytes((int) Values.size("--max-request-line", cl.get("max-request-line")));
            }
            if (cl.get("max-header-bytes") != null) {
                limits = limits.withMaxHeadBytes((int) Values.size("--max-header-bytes", cl.get("max-header-bytes")));
            }
            if (cl.get("max-headers") != null) {
                limits = limits.withMaxHeaders(Values.integer("--max-headers", cl.get("max-headers"), 1, 10_000));
            }
            if (cl.get("max-body-bytes") != null) {
                limits = limits.withMaxBodyBytes(Values.size("--max-body-bytes", cl.get("max-body-bytes")));
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        HttpTimeouts timeouts;
        try {
            timeouts = HttpTimeouts.defaults()
                    .withHeader(Values.duration("--header-timeout", cl.get("header-timeout", "10s")))
                    .withClientIdle(Values.duration("--idle-timeout", cl.get("idle-timeout", "60s")))
                    .withConnect(Values.duration("--connect-timeout", cl.get("connect-timeout", "5s")))
                    .withResponse(Values.duration("--response-timeout", cl.get("response-timeout", "60s")))
                    .withKeepAliveUnderLoad(Values.duration("--keep-alive-under-load", cl.get("keep-alive-under-load", "2s")));
        } catch (IllegalArgumentException e) {
            throw new UsageException("timeouts: " + e.getMessage());
        }
        String fh = cl.get("forwarded-headers", "on");
        if (!fh.equals("on") && !fh.equals("off")) {
            throw new UsageException("--forwarded-headers: '" + fh + "' (expected: on or off)");
        }
        ForwardedHeaders forwarded;
        try {
            ForwardedHeaders base = fh.equals("on") ? ForwardedHeaders.defaults() : ForwardedHeaders.none();
            forwarded = new ForwardedHeaders(base.xForwardedFor(), base.xForwardedProto(), base.xForwardedHost(),
                    base.forwarded(), base.via(), cl.get("via", "jlb"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--via: " + e.getMessage());
        }
        return new Config.Http(name, listen, routes, limits, timeouts, forwarded, cl.flag("accept-proxy-protocol"),
                Values.integer("--connect-attempts", cl.get("connect-attempts", "3"), 1, 100),
                Values.integer("--max-idle-per-backend", cl.get("max-idle-per-backend", "1024"), 0, 100_000),
                maxConnections(cl), Values.duration("--drain-timeout", cl.get("drain-timeout", "30s")), policies(cl),
                trustedProxies("--trusted-proxies", cl.get("trusted-proxies")),
                pathNormalization("--path-normalization", cl.get("path-normalization")),
                Http2Specs.fromOption(cl.get("http2")));
    }

    /** {@code CIDR[,CIDR...]}; null for none. */
    static io.jlb.nio.Cidrs trustedProxies(String what, String spec) {
        if (spec == null) {
            return null;
        }
        try {
            return io.jlb.nio.Cidrs.parse(List.of(spec.split(",")));
        } catch (IllegalArgumentException e) {
            throw new UsageException(what + ": " + e.getMessage());
        }
    }

    /** {@code merge-slashes=on|off,encoded-slash=reject|keep|decode,backslash=reject|keep|decode}; null: defaults. */
    static io.jlb.http.PathNormalization pathNormalization(String what, String spec) {
        return spec == null ? null : pathNormalization(Settings.spec(what, spec, null, java.util.Set.of()));
    }

    /** {@code merge-slashes}, {@code encoded-slash}, {@code backslash}. */
    static io.jlb.http.PathNormalization pathNormalization(Settings s) {
        s.allow("merge-slashes", "encoded-slash", "backslash");
        io.jlb.http.PathNormalization n = io.jlb.http.PathNormalization.defaults();
        if (s.has("merge-slashes")) {
            n = n.withMergeSlashes(s.bool("merge-slashes"));
        }
        if (s.has("encoded-slash")) {
            n = n.withEncodedSlash(pathAction(s.whereOf("encoded-slash"), s.text("encoded-slash")));
        }
        if (s.has("backslash")) {
            n = n.withBackslash(pathAction(s.whereOf("backslash"), s.text("backslash")));
        }
        return n;
    }

    private static io.jlb.http.PathNormalization.Action pathAction(String what, String value) {
        return switch (value) {
            case "reject" -> io.jlb.http.PathNormalization.Action.REJECT;
            case "keep" -> io.jlb.http.PathNormalization.Action.KEEP;
            case "decode" -> io.jlb.http.PathNormalization.Action.DECODE;
            default -> throw new UsageException(what + ": '" + value + "' (expected: reject, keep or decode)");
        };
    }
}
