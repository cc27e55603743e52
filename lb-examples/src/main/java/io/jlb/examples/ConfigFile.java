package io.jlb.examples;

import io.jlb.core.Backend;
import io.jlb.core.DnsDiscovery;
import io.jlb.core.DnsResolver;
import io.jlb.core.OutlierDetection;
import io.jlb.core.Selector;
import io.jlb.http.ForwardedHeaders;
import io.jlb.http.HttpLimits;
import io.jlb.http.HttpTimeouts;
import io.jlb.http.Policies;
import io.jlb.nio.ProxyProtocol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the YAML configuration of {@code lb run}: {@code pools} by name and a list of {@code listeners}. Every
 * mistake is reported with the file, the line and the key path ({@code lb.yaml:14: pools.api.backends[1].weight:
 * 0 (expected: a whole number from 1 to 1000)}) before anything starts. README.md documents every key.
 */
final class ConfigFile {
    private static final Set<String> TOP = Set.of("threads", "pools", "listeners", "admin", "access-log", "tls-provider");
    private static final Set<String> ADMIN = Set.of("listen", "token", "token-file", "insecure");
    private static final Set<String> POOL = Set.of("algorithm", "backends", "health", "slow-start", "passive",
            "panic-threshold", "discover", "tls");
    private static final Set<String> LISTENER_TLS = Set.of("certificates", "protocols", "client-auth", "reload-interval");
    private static final Set<String> CERTIFICATE = Set.of("cert", "key", "pkcs12", "password");
    private static final Set<String> CLIENT_AUTH = Set.of("mode", "ca", "header");
    private static final Set<String> BACKEND_TLS = Set.of("ca", "server-name", "verify-hostname");
    private static final Set<String> DISCOVER = Set.of("type", "name", "port", "interval", "servers", "weight");
    private static final Set<String> BACKEND = Set.of("address", "weight", "backup", "name", "zone");
    private static final Set<String> HEALTH = Set.of("type", "path", "expect", "body", "method", "host", "interval",
            "timeout", "rise", "fall");
    private static final Set<String> PASSIVE = Set.of("failures", "eject", "max-eject", "max-percent", "fail-on");
    private static final Set<String> LISTENER_COMMON = Set.of("name", "protocol", "listen");
    private static final Set<String> TCP = union(LISTENER_COMMON, Set.of("pool", "sni", "proxy-protocol", "tls",
            "accept-proxy-protocol", "connect-timeout", "idle-timeout", "connect-attempts", "max-connections",
            "max-connections-per-backend", "drain-timeout"));
    private static final Set<String> UDP = union(LISTENER_COMMON, Set.of("pool", "session-timeout", "max-sessions"));
    private static final Set<String> HTTP = union(LISTENER_COMMON, Set.of("routes", "limits", "timeouts",
            "forwarded-headers", "via", "accept-proxy-protocol", "connect-attempts", "max-idle-per-backend",
            "max-connections", "drain-timeout", "policies", "tls", "trusted-proxies", "path-normalization", "http2"));
    private static final Set<String> ROUTE = Set.of("match", "to", "backends", "strip", "policies");
    private static final Set<String> SPLIT = Set.of("name", "weight");
    private static final Set<String> SNI = Set.of("match", "pool");
    private static final Set<String> LIMITS = Set.of("max-request-line", "max-header-bytes", "max-headers", "max-body-bytes");
    private static final Set<String> TIMEOUTS = Set.of("header", "idle", "connect", "response", "backend-idle",
            "keep-alive-under-load");

    /** A loaded file: the configuration and the thread count it asks for (0: processors). */
    record Loaded(Config config, int threads) {}

    private final String file;
    /** The JCA provider of the listeners' TLS (null: the JDK's), from {@code tls-provider}. */
    private String tlsProvider;

    private ConfigFile(String file) {
        this.file = file;
    }

    static Loaded load(Path path) {
        String label = path.toString();
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException(label + ": no such file");
        } catch (IOException e) {
            throw new UsageException(label + ": cannot read: " + e.getMessage());
        }
        return parse(label, text);
    }

    static Loaded parse(String label, String text) {
        return new ConfigFile(label).read(YamlNode.parse(label, text));
    }

    private Loaded read(YamlNode root) {
        Map<String, YamlNode> top = root.map(TOP);
        if (top.containsKey("tls-provider")) {
            YamlNode p = top.get("tls-provider");
            tlsProvider = TlsProviders.install(p.where(), p.text(), this::path);
        }
        int threads = top.containsKey("threads") ? top.get("threads").integer(1, 1024) : 0;
        Config.Admin admin = top.containsKey("admin") ? admin(top.get("admin")) : null;
        boolean accessLog = top.containsKey("access-log") && top.get("access-log").bool();
        YamlNode poolsNode = required(root, top, "pools");
        List<Config.PoolSpec> pools = new ArrayList<>();
        for (Map.Entry<String, YamlNode> e : poolsNode.map(null).entrySet()) {
            pools.add(pool(e.getKey(), e.getValue()));
        }
        Set<String> poolNames = new HashSet<>();
        pools.forEach(p -> poolNames.add(p.name()));
        List<Config.Listener> listeners = new ArrayList<>();
        Set<String> listenerNames = new HashSet<>();
        List<YamlNode> list = required(root, top, "listeners").list();
        Map<String, TlsSpecs.ListenerTls> listenerTls = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            Config.Listener l = listener(list.get(i), i, poolNames);
            if (!listenerNames.add(l.name())) {
                throw list.get(i).error("listener name '" + l.name() + "' used twice");
            }
            listeners.add(l);
            Map<String, YamlNode> lm = list.get(i).map(null);
            if (lm.containsKey("tls")) {
                listenerTls.put(l.name(), listenerTls(lm.get("tls")));
            }
        }
        Map<String, io.jlb.nio.ClientTls> poolTls = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> e : poolsNode.map(null).entrySet()) {
            Map<String, YamlNode> pm = e.getValue().map(null);
            io.jlb.nio.ClientTls tls = pm.containsKey("tls") ? backendTls(pm.get("tls")) : null;
            if (tls != null) {
                poolTls.put(e.getKey(), tls);
            }
        }
        if (listeners.isEmpty()) {
            throw root.error("listeners: none (expected: at least one)");
        }
        return new Loaded(new Config(pools, listeners, new Config.Observability(admin, accessLog),
                new Config.Tls(listenerTls, poolTls, null)), threads);
    }

    // ---- TLS ----

    private TlsSpecs.ListenerTls listenerTls(YamlNode node) {
        Map<String, YamlNode> m = node.map(LISTENER_TLS);
        List<TlsSpecs.Certificate> certificates = new ArrayList<>();
        for (YamlNode c : required(node, m, "certificates").list()) {
            Map<String, YamlNode> cm = c.map(CERTIFICATE);
            if (cm.containsKey("pkcs12") == (cm.containsKey("cert") || cm.containsKey("key"))) {
                throw c.error("a certificate is either {cert: CHAIN.pem, key: KEY.pem} or {pkcs12: FILE, password: P}");
            }
            if (!cm.containsKey("pkcs12") && !(cm.containsKey("cert") && cm.containsKey("key"))) {
                throw c.error("a PEM certificate needs both cert and key");
            }
            certificates.add(new TlsSpecs.Certificate(file(cm.get("cert")), file(cm.get("key")), file(cm.get("pkcs12")),
                    cm.containsKey("password") ? cm.get("password").text() : null));
        }
        List<String> protocols = null;
        if (m.containsKey("protocols")) {
            protocols = new ArrayList<>();
            for (YamlNode p : m.get("protocols").list()) {
                protocols.add(p.text());
            }
        }
        String mode = null;
        Path ca = null;
        String header = null;
        if (m.containsKey("client-auth")) {
            Map<String, YamlNode> am = m.get("client-auth").map(CLIENT_AUTH);
            mode = required(m.get("client-auth"), am, "mode").text();
            ca = file(am.get("ca"));
            header = am.containsKey("header") ? am.get("header").text() : null;
        }
        io.jlb.nio.ServerTls tls;
        try {
            tls = TlsSpecs.server("tls", certificates, protocols, mode, ca, tlsProvider);
        } catch (UsageException e) {
            throw node.error(e.getMessage().replaceFirst("^tls[: ]+", ""));
        }
        return new TlsSpecs.ListenerTls(tls, m.containsKey("reload-interval") ? positive(m.get("reload-interval")) : null,
                header);
    }

    private io.jlb.nio.ClientTls backendTls(YamlNode node) {
        if (node.isScalar()) {
            if (!node.bool()) {
                return null;
            }
            return TlsSpecs.client("tls", null, null, true);
        }
        Map<String, YamlNode> m = node.map(BACKEND_TLS);
        try {
            return TlsSpecs.client("tls", file(m.get("ca")), m.containsKey("server-name") ? m.get("server-name").text() : null,
                    !m.containsKey("verify-hostname") || m.get("verify-hostname").bool());
        } catch (UsageException e) {
            throw node.error(e.getMessage().replaceFirst("^tls[: ]+", ""));
        }
    }

    private Path file(YamlNode node) {
        return node == null ? null : Path.of(resolve(node.text()));
    }

    // ---- the admin listener ----

    private Config.Admin admin(YamlNode node) {
        Map<String, YamlNode> m = node.map(ADMIN);
        String listen = hostPort(required(node, m, "listen"));
        if (m.containsKey("token") && m.containsKey("token-file")) {
            throw node.error("token and token-file: give one");
        }
        String token = null;
        if (m.containsKey("token")) {
            token = m.get("token").text().trim();
        } else if (m.containsKey("token-file")) {
            YamlNode file = m.get("token-file");
            try {
                token = Files.readString(Path.of(resolve(file.text())), StandardCharsets.UTF_8).trim();
            } catch (IOException | java.nio.file.InvalidPathException e) {
                throw file.error("cannot read the token: " + e.getMessage());
            }
        }
        if (token != null && token.isEmpty()) {
            throw node.error("the token is empty");
        }
        return new Config.Admin(listen, token, flag(m, "insecure"));
    }

    /** A file named in the configuration: relative to the configuration file's directory. */
    private String resolve(String path) {
        try {
            Path p = Path.of(path);
            if (p.isAbsolute()) {
                return path;
            }
            Path dir = Path.of(file).toAbsolutePath().getParent();
            return (dir == null ? p : dir.resolve(p)).normalize().toString();
        } catch (java.nio.file.InvalidPathException e) {
            return path;
        }
    }

    private static String hostPort(YamlNode listenNode) {
        String listen = listenNode.text();
        int colon = listen.lastIndexOf(':');
        if (colon < 0) {
            throw listenNode.error("'" + listen + "' (expected: HOST:PORT)");
        }
        try {
            Values.integer("port", listen.substring(colon + 1), 0, 65535);
        } catch (UsageException e) {
            throw listenNode.error(e.getMessage());
        }
        return listen;
    }

    // ---- pools ----

    private Config.PoolSpec pool(String name, YamlNode node) {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw node.error("pool name '" + name + "' (expected: letters, digits, '-', '_', '.')");
        }
        Map<String, YamlNode> m = node.map(POOL);
        String algorithm = m.containsKey("algorithm") ? m.get("algorithm").text() : "p2c";
        try {
            Selector.named(algorithm);
        } catch (IllegalArgumentException e) {
            throw m.get("algorithm").error(e.getMessage());
        }
        List<Backend> backends = new ArrayList<>();
        Set<String> names = new HashSet<>();
        if (m.containsKey("backends")) {
            for (YamlNode b : m.get("backends").list()) {
                Backend backend = backend(b);
                if (!names.add(backend.name())) {
                    throw b.error("backend '" + backend.name() + "' listed twice (give one a name: ...)");
                }
                backends.add(backend);
            }
        }
        Config.HealthSpec health = m.containsKey("health") ? health(m.get("health")) : null;
        Duration slowStart = m.containsKey("slow-start") ? m.get("slow-start").duration() : Duration.ZERO;
        OutlierDetection passive = m.containsKey("passive") ? passive(m.get("passive")) : OutlierDetection.defaults();
        int panic = m.containsKey("panic-threshold") ? m.get("panic-threshold").integer(0, 100) : 50;
        DnsDiscovery discovery = m.containsKey("discover") ? discover(m.get("discover")) : null;
        return new Config.PoolSpec(name, backends, algorithm, health, slowStart, passive, panic, discovery);
    }

    /** {@code {type: dns, name: H, port: P}} or {@code {type: srv, name: N}}, with interval, servers, weight. */
    private DnsDiscovery discover(YamlNode node) {
        Map<String, YamlNode> m = node.map(DISCOVER);
        String type = m.containsKey("type") ? m.get("type").text() : "dns";
        YamlNode nameNode = required(node, m, "name");
        DnsDiscovery d;
        try {
            switch (type) {
                case "dns" -> d = DnsDiscovery.addresses(nameNode.text(), required(node, m, "port").integer(1, 65535));
                case "srv" -> {
                    if (m.containsKey("port")) {
                        throw m.get("port").error("an SRV record carries its own port");
                    }
                    d = DnsDiscovery.srv(nameNode.text());
                }
                default -> throw m.get("type").error("'" + type + "' (expected: dns or srv)");
            }
        } catch (IllegalArgumentException e) {
            throw nameNode.error(e.getMessage());
        }
        if (m.containsKey("interval")) {
            YamlNode interval = m.get("interval");
            try {
                d = d.withInterval(interval.duration());
            } catch (IllegalArgumentException e) {
                throw interval.error(e.getMessage());
            }
        }
        if (m.containsKey("weight")) {
            if (type.equals("srv")) {
                throw m.get("weight").error("an SRV record carries its own weight");
            }
            d = d.withWeight(m.get("weight").integer(1, Backend.MAX_WEIGHT));
        }
        if (m.containsKey("servers")) {
            List<String> servers = new ArrayList<>();
            for (YamlNode s : m.get("servers").list()) {
                servers.add(hostPort(s));
            }
            if (servers.isEmpty()) {
                throw m.get("servers").error("empty (expected: host:port of name servers, or leave it out)");
            }
            d = d.withResolver(DnsResolver.servers(servers.toArray(String[]::new)));
        }
        return d;
    }

    private Backend backend(YamlNode node) {
        if (node.isScalar()) {
            return node.address();
        }
        Map<String, YamlNode> m = node.map(BACKEND);
        Backend b = required(node, m, "address").address();
        if (m.containsKey("weight")) {
            b = b.withWeight(m.get("weight").integer(1, Backend.MAX_WEIGHT));
        }
        if (m.containsKey("backup")) {
            b = b.withBackup(m.get("backup").bool());
        }
        if (m.containsKey("name")) {
            b = b.withName(m.get("name").text());
        }
        if (m.containsKey("zone")) {
            b = b.withMetadata("zone", m.get("zone").text());
        }
        return b;
    }

    private Config.HealthSpec health(YamlNode node) {
        Map<String, YamlNode> m = node.map(HEALTH);
        String type = required(node, m, "type").text();
        if (!type.equals("tcp") && !type.equals("http")) {
            throw m.get("type").error("'" + type + "' (expected: tcp or http)");
        }
        StringBuilder spec = new StringBuilder(type.equals("http") ? "http:" + required(node, m, "path").text() : "tcp");
        for (String key : List.of("expect", "body", "method", "host")) {
            if (m.containsKey(key)) {
                if (type.equals("tcp")) {
                    throw m.get(key).error("'" + key + "' applies to http checks only");
                }
                spec.append(',').append(key).append('=').append(m.get(key).text());
            }
        }
        for (String key : List.of("interval", "timeout")) {
            if (m.containsKey(key)) {
                spec.append(',').append(key).append('=').append(m.get(key).duration().toMillis()).append("ms");
            }
        }
        for (String key : List.of("rise", "fall")) {
            if (m.containsKey(key)) {
                spec.append(',').append(key).append('=').append(m.get(key).integer(1, 100));
            }
        }
        try {
            return Commands.health("health", spec.toString());
        } catch (UsageException e) {
            throw node.error(e.getMessage());
        }
    }

    private OutlierDetection passive(YamlNode node) {
        if (node.isScalar()) {
            String t = node.text();
            if (t.equals("off") || t.equals("false")) {
                return OutlierDetection.disabled();
            }
            if (t.equals("on") || t.equals("true")) {
                return OutlierDetection.defaults();
            }
            throw node.error("'" + t + "' (expected: off, on, or a map of failures, eject, max-eject, max-percent)");
        }
        Map<String, YamlNode> m = node.map(PASSIVE);
        OutlierDetection o = OutlierDetection.defaults();
        try {
            if (m.containsKey("failures")) {
                o = o.withConsecutiveFailures(m.get("failures").integer(1, 1000));
            }
            if (m.containsKey("eject")) {
                o = o.withBaseEjectionTime(m.get("eject").duration());
            }
            if (m.containsKey("max-eject")) {
                o = o.withMaxEjectionTime(m.get("max-eject").duration());
            }
            if (m.containsKey("max-percent")) {
                o = o.withMaxEjectionPercent(m.get("max-percent").integer(0, 100));
            }
            if (m.containsKey("fail-on")) {
                o = o.withFailOn(Commands.failOn(m.get("fail-on").path, m.get("fail-on").text()));
            }
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
        return o;
    }

    // ---- listeners ----

    private Config.Listener listener(YamlNode node, int index, Set<String> pools) {
        Map<String, YamlNode> loose = node.map(null);
        String protocol = required(node, loose, "protocol").text();
        Set<String> keys = switch (protocol) {
            case "tcp" -> TCP;
            case "udp" -> UDP;
            case "http" -> HTTP;
            default -> throw loose.get("protocol").error("'" + protocol + "' (expected: tcp, udp or http)");
        };
        Map<String, YamlNode> m = node.map(keys);
        String name = m.containsKey("name") ? m.get("name").text() : protocol + "-" + index;
        String listen = hostPort(required(node, m, "listen"));
        return switch (protocol) {
            case "tcp" -> tcp(node, m, name, listen, pools);
            case "udp" -> new Config.Udp(name, listen, poolRef(required(node, m, "pool"), pools),
                    m.containsKey("session-timeout") ? positive(m.get("session-timeout")) : Duration.ofSeconds(30),
                    m.containsKey("max-sessions") ? m.get("max-sessions").integer(1, Integer.MAX_VALUE) : 65_536);
            default -> http(node, m, name, listen, pools);
        };
    }

    private Config.Tcp tcp(YamlNode node, Map<String, YamlNode> m, String name, String listen, Set<String> pools) {
        String pool = m.containsKey("pool") ? poolRef(m.get("pool"), pools) : null;
        List<Config.Sni> sni = new ArrayList<>();
        if (m.containsKey("sni")) {
            for (YamlNode s : m.get("sni").list()) {
                Map<String, YamlNode> sm = s.map(SNI);
                String pattern = required(s, sm, "match").text();
                try {
                    new io.jlb.nio.SniRoute(pattern, "x");
                } catch (IllegalArgumentException e) {
                    throw sm.get("match").error(e.getMessage());
                }
                sni.add(new Config.Sni(pattern, poolRef(required(s, sm, "pool"), pools)));
            }
        }
        if (pool == null && sni.isEmpty()) {
            throw node.error("tcp listener '" + name + "' needs a pool (or sni routes)");
        }
        ProxyProtocol pp = null;
        if (m.containsKey("proxy-protocol")) {
            try {
                pp = ProxyProtocol.parse(m.get("proxy-protocol").text());
            } catch (IllegalArgumentException e) {
                throw m.get("proxy-protocol").error(e.getMessage());
            }
        }
        return new Config.Tcp(name, listen, pool, sni, pp, flag(m, "accept-proxy-protocol"),
                m.containsKey("connect-timeout") ? positive(m.get("connect-timeout")) : Duration.ofSeconds(5),
                m.containsKey("idle-timeout") ? m.get("idle-timeout").duration() : Duration.ofMinutes(10),
                m.containsKey("connect-attempts") ? m.get("connect-attempts").integer(1, 100) : 3,
                m.containsKey("max-connections") ? m.get("max-connections").integer(0, Integer.MAX_VALUE) : -1,
                m.containsKey("max-connections-per-backend")
                        ? m.get("max-connections-per-backend").integer(0, Integer.MAX_VALUE) : 0,
                m.containsKey("drain-timeout") ? m.get("drain-timeout").duration() : Duration.ofSeconds(30));
    }

    private Config.Http http(YamlNode node, Map<String, YamlNode> m, String name, String listen, Set<String> pools) {
        List<Config.Route> routes = new ArrayList<>();
        for (YamlNode r : required(node, m, "routes").list()) {
            routes.add(route(r, pools));
        }
        if (routes.isEmpty()) {
            throw m.get("routes").error("no routes (expected: at least one, e.g. '- to: POOL')");
        }
        HttpLimits limits = HttpLimits.defaults();
        if (m.containsKey("limits")) {
            Map<String, YamlNode> l = m.get("limits").map(LIMITS);
            try {
                if (l.containsKey("max-request-line")) {
                    limits = limits.withMaxRequestLineBytes((int) l.get("max-request-line").size());
                }
                if (l.containsKey("max-header-bytes")) {
                    limits = limits.withMaxHeadBytes((int) l.get("max-header-bytes").size());
                }
                if (l.containsKey("max-headers")) {
                    limits = limits.withMaxHeaders(l.get("max-headers").integer(1, 10_000));
                }
                if (l.containsKey("max-body-bytes")) {
                    limits = limits.withMaxBodyBytes(l.get("max-body-bytes").size());
                }
            } catch (IllegalArgumentException e) {
                throw m.get("limits").error(e.getMessage());
            }
        }
        HttpTimeouts timeouts = HttpTimeouts.defaults();
        if (m.containsKey("timeouts")) {
            Map<String, YamlNode> t = m.get("timeouts").map(TIMEOUTS);
            if (t.containsKey("header")) {
                timeouts = timeouts.withHeader(positive(t.get("header")));
            }
            if (t.containsKey("idle")) {
                timeouts = timeouts.withClientIdle(positive(t.get("idle")));
            }
            if (t.containsKey("connect")) {
                timeouts = timeouts.withConnect(positive(t.get("connect")));
            }
            if (t.containsKey("response")) {
                timeouts = timeouts.withResponse(positive(t.get("response")));
            }
            if (t.containsKey("backend-idle")) {
                timeouts = timeouts.withBackendIdle(positive(t.get("backend-idle")));
            }
            if (t.containsKey("keep-alive-under-load")) {
                timeouts = timeouts.withKeepAliveUnderLoad(positive(t.get("keep-alive-under-load")));
            }
        }
        boolean fwd = !m.containsKey("forwarded-headers") || m.get("forwarded-headers").bool();
        ForwardedHeaders base = fwd ? ForwardedHeaders.defaults() : ForwardedHeaders.none();
        ForwardedHeaders forwarded;
        try {
            forwarded = new ForwardedHeaders(base.xForwardedFor(), base.xForwardedProto(), base.xForwardedHost(),
                    base.forwarded(), base.via(), m.containsKey("via") ? m.get("via").text() : "jlb");
        } catch (IllegalArgumentException e) {
            throw m.get("via").error(e.getMessage());
        }
        return new Config.Http(name, listen, routes, limits, timeouts, forwarded, flag(m, "accept-proxy-protocol"),
                m.containsKey("connect-attempts") ? m.get("connect-attempts").integer(1, 100) : 3,
                m.containsKey("max-idle-per-backend") ? m.get("max-idle-per-backend").integer(0, 100_000) : 1024,
                m.containsKey("max-connections") ? m.get("max-connections").integer(0, Integer.MAX_VALUE) : -1,
                m.containsKey("drain-timeout") ? m.get("drain-timeout").duration() : Duration.ofSeconds(30),
                m.containsKey("policies") ? policies(m.get("policies")) : null,
                m.containsKey("trusted-proxies") ? trustedProxies(m.get("trusted-proxies")) : null,
                m.containsKey("path-normalization") ? pathNormalization(m.get("path-normalization")) : null,
                m.containsKey("http2") ? http2(m.get("http2")) : null);
    }

    /** {@code http2: on|off}, or a mapping of {@code enabled} and the settings. */
    private io.jlb.http.Http2Settings http2(YamlNode node) {
        if (node.isScalar()) {
            return io.jlb.http.Http2Settings.defaults().withEnabled(node.bool());
        }
        return Http2Specs.of(YamlPolicies.mapping(node, k -> k, this::path));
    }

    private io.jlb.nio.Cidrs trustedProxies(YamlNode node) {
        List<String> ranges = new ArrayList<>();
        if (node.isScalar()) {
            ranges.addAll(List.of(node.text().split(",")));
        } else {
            node.list().forEach(r -> ranges.add(r.text()));
        }
        try {
            return io.jlb.nio.Cidrs.parse(ranges);
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    private io.jlb.http.PathNormalization pathNormalization(YamlNode node) {
        return Commands.pathNormalization(YamlPolicies.mapping(node, k -> k, this::path));
    }

    private Policies policies(YamlNode node) {
        return YamlPolicies.read(node, this::path);
    }

    /** A file named in the configuration: relative to the configuration file's directory. */
    private Path path(String name) {
        return Path.of(resolve(name));
    }

    private Config.Route route(YamlNode node, Set<String> pools) {
        Map<String, YamlNode> m = node.map(ROUTE);
        List<Config.Condition> conditions = new ArrayList<>();
        if (m.containsKey("match")) {
            for (Map.Entry<String, YamlNode> c : m.get("match").map(new HashSet<>(RouteSpecs.KINDS)).entrySet()) {
                try {
                    conditions.add(RouteSpecs.condition("match", c.getKey(), c.getValue().text()));
                } catch (UsageException e) {
                    throw c.getValue().error(e.getMessage());
                }
            }
        }
        if (m.containsKey("to") == m.containsKey("backends")) {
            throw node.error("a route needs either 'to: POOL' or 'backends: [{name: POOL, weight: N}, ...]'");
        }
        Map<String, Integer> targets = new LinkedHashMap<>();
        if (m.containsKey("to")) {
            targets.put(poolRef(m.get("to"), pools), 1);
        } else {
            for (YamlNode b : m.get("backends").list()) {
                Map<String, YamlNode> bm = b.map(SPLIT);
                String pool = poolRef(required(b, bm, "name"), pools);
                int weight = bm.containsKey("weight") ? bm.get("weight").integer(1, 1_000_000) : 1;
                if (targets.put(pool, weight) != null) {
                    throw b.error("pool '" + pool + "' listed twice in one split");
                }
            }
            if (targets.isEmpty()) {
                throw m.get("backends").error("empty split (expected: at least one {name: POOL, weight: N})");
            }
        }
        String strip = null;
        if (m.containsKey("strip")) {
            strip = m.get("strip").text();
            if (!strip.startsWith("/")) {
                throw m.get("strip").error("'" + strip + "' (expected: a path prefix starting with /)");
            }
        }
        return new Config.Route(conditions, targets, strip, node.path,
                m.containsKey("policies") ? policies(m.get("policies")) : null);
    }

    private String poolRef(YamlNode node, Set<String> pools) {
        String name = node.text();
        if (!pools.contains(name)) {
            throw node.error("route to undefined pool '" + name + "' (defined: " + String.join(", ", new java.util.TreeSet<>(pools)) + ")");
        }
        return name;
    }

    private static boolean flag(Map<String, YamlNode> m, String key) {
        return m.containsKey(key) && m.get(key).bool();
    }

    private static Duration positive(YamlNode node) {
        Duration d = node.duration();
        if (d.isZero()) {
            throw node.error("0 (expected: a duration above 0)");
        }
        return d;
    }

    private static YamlNode required(YamlNode parent, Map<String, YamlNode> m, String key) {
        YamlNode y = m.get(key);
        if (y == null) {
            throw parent.error("missing '" + key + "'");
        }
        return y;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new HashSet<>(a);
        s.addAll(b);
        return s;
    }
}
