package io.jlb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigFileTest {
    @Test
    void theCompleteExampleLoads() throws Exception {
        ConfigFile.Loaded loaded = ConfigFile.load(Path.of("example.yaml"));
        Config c = loaded.config();
        assertEquals(2, loaded.threads());
        assertEquals(List.of("api-v1", "api-v2", "stable", "canary", "frontend", "routers", "dns"),
                c.pools().stream().map(Config.PoolSpec::name).toList());
        Config.PoolSpec api = c.pools().get(0);
        assertEquals("least-connections", api.algorithm());
        assertEquals(3, api.backends().size());
        assertEquals(3, api.backends().get(1).weight());
        assertEquals("eu-west-1a", api.backends().get(1).metadata().get("zone"));
        assertTrue(api.backends().get(2).backup());
        assertEquals("/health,expect=200-399,body=ok,method=GET,host=api.internal", api.health().httpSpec());
        assertEquals(Duration.ofSeconds(30), api.slowStart());
        assertEquals(5, api.passive().consecutiveFailures());
        assertEquals(0, c.pools().get(3).passive().consecutiveFailures(), "passive: off");
        assertEquals(List.of("web", "web-tls", "web-behind-l4", "edge", "dns"),
                c.listeners().stream().map(Config.Listener::name).toList());
        assertEquals(List.of(List.of("localhost")), c.tls().listeners().get("web-tls").tls().certificateNames());
        assertTrue(c.tls().pools().containsKey("routers"));
        Config.Http web = (Config.Http) c.listeners().get(0);
        assertEquals(8, web.routes().size());
        assertTrue(web.trustedProxies().contains(java.net.InetAddress.getByName("10.2.3.4")));
        assertEquals(io.jlb.http.PathNormalization.defaults(), web.pathNormalization());
        assertEquals(Duration.ofSeconds(2), web.timeouts().keepAliveUnderLoad());
        assertEquals(10_000, web.maxConnections());
        assertEquals(io.jlb.core.OutlierDetection.FailOn.GATEWAY_ERRORS, api.passive().failOn());
        assertEquals(50, api.panicThreshold());
        assertEquals(Map.of("stable", 95, "canary", 5), web.routes().get(4).targets());
        assertEquals("/api/v1", web.routes().get(0).stripPrefix());
        assertEquals(10 << 20, web.limits().maxBodyBytes());
        assertEquals(Duration.ofSeconds(30), web.timeouts().backendIdle());
        assertTrue(((Config.Http) c.listeners().get(2)).acceptProxyProtocol());
        Config.Tcp edge = (Config.Tcp) c.listeners().get(3);
        assertEquals(2, edge.sni().size());
        assertEquals(io.jlb.nio.ProxyProtocol.V2, edge.sendProxyProtocol());
        Config.Udp dns = (Config.Udp) c.listeners().get(4);
        assertEquals("dns", dns.pool());
        assertNull(c.pools().get(1).health().httpSpec());
        io.jlb.core.DnsDiscovery discovery = c.pools().get(1).discovery();
        assertEquals("api-v2.service.consul:9200", discovery.toString());
        assertEquals(Duration.ofSeconds(10), discovery.interval());
        assertEquals(new Config.Admin("127.0.0.1:9901", "change-me", false), c.observability().admin());
        assertTrue(web.policies() != null, "listener-wide policies");
        assertTrue(web.routes().get(0).policies() != null && web.routes().get(1).policies() != null
                && web.routes().get(2).policies() != null, "per-route policies, files found next to the configuration");
        assertNull(web.routes().get(3).policies());
        assertTrue(c.observability().accessLog());
    }

    @Test
    void tlsListenersAndBackendsAreReadWithTheirFilesCheckedFirst(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        io.jlb.core.testing.TestTls cert = io.jlb.core.testing.TestTls.make("conf.test", 2, "EC");
        cert.writeCertificatePem(dir.resolve("c.pem"));
        cert.writePrivateKeyPem(dir.resolve("c.key"));
        String yaml = "pools:\n  a:\n    backends: [127.0.0.1:1]\n    tls: {ca: c.pem, server-name: conf.test}\n"
                + "listeners:\n  - name: web\n    protocol: http\n    listen: 127.0.0.1:0\n    routes: [{to: a}]\n"
                + "    tls:\n      certificates: [{cert: c.pem, key: c.key}]\n      protocols: [TLSv1.3]\n"
                + "      client-auth: {mode: optional, ca: c.pem, header: X-Who}\n      reload-interval: 30s\n";
        Config c = ConfigFile.parse(dir.resolve("lb.yaml").toString(), yaml).config();
        TlsSpecs.ListenerTls web = c.tls().listeners().get("web");
        assertEquals(List.of(List.of("conf.test")), web.tls().certificateNames());
        assertEquals(Duration.ofSeconds(30), web.reloadEvery());
        assertEquals("X-Who", web.clientCertHeader());
        assertTrue(c.tls().pools().containsKey("a"));
        String broken = yaml.replace("key: c.key", "key: c.pem");
        UsageException e = assertThrows(UsageException.class, () -> ConfigFile.parse(dir.resolve("lb.yaml").toString(), broken));
        assertTrue(e.getMessage().contains("listeners[0].tls: ") && e.getMessage().contains("no PRIVATE KEY block"),
                e.getMessage());
    }

    @Test
    void theAdminTokenMayComeFromAFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path token = java.nio.file.Files.writeString(dir.resolve("token"), "from-a-file\n");
        Config c = ConfigFile.parse("lb.yaml", "admin:\n  listen: 127.0.0.1:0\n  token-file: " + token
                + "\npools:\n  a:\n    backends: [127.0.0.1:1]\nlisteners:\n  - protocol: tcp\n    listen: 127.0.0.1:0\n"
                + "    pool: a\n").config();
        assertEquals("from-a-file", c.observability().admin().token());
        assertTrue(!c.observability().accessLog());
    }

    @Test
    void http2OfAListener() {
        String base = "pools:\n  a: {backends: [127.0.0.1:1]}\nlisteners:\n  - protocol: http\n    listen: 127.0.0.1:0\n"
                + "    routes: [{to: a}]\n";
        Config.Http off = (Config.Http) ConfigFile.parse("lb.yaml", base + "    http2: off\n").config().listeners().get(0);
        assertTrue(!off.http2().enabled());
        Config.Http tuned = (Config.Http) ConfigFile.parse("lb.yaml", base
                + "    http2: {max-concurrent-streams: 64, connection-window: 4m}\n").config().listeners().get(0);
        assertEquals(io.jlb.http.Http2Settings.defaults().withMaxConcurrentStreams(64).withConnectionWindow(4 << 20),
                tuned.http2());
    }

    private static String error(String yaml) {
        return assertThrows(UsageException.class, () -> ConfigFile.parse("lb.yaml", yaml)).getMessage();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "'pools:\\n  a:\\n    backends: [127.0.0.1:1]\\n    algoritm: p2c\\nlisteners: []'|lb.yaml:4: pools.a: unknown key 'algoritm' (expected: algorithm, backends, discover, health, panic-threshold, passive, slow-start, tls)",
        "'pools:\\n  a:\\n    backends: [127.0.0.1]\\nlisteners: []'|lb.yaml:3: pools.a.backends[0]: bad address: backend: '127.0.0.1' (expected: host:port or [ipv6]:port)",
        "'pools:\\n  a:\\n    backends:\\n      - address: 127.0.0.1:1\\n        weight: 0\\nlisteners: []'|lb.yaml:5: pools.a.backends[0].weight: 0 (expected: a whole number from 1 to 1000)",
        "'pools:\\n  a:\\n    backends: [127.0.0.1:1]\\nlisteners:\\n  - protocol: http\\n    listen: 127.0.0.1:0\\n    routes:\\n      - to: b'|lb.yaml:8: listeners[0].routes[0].to: route to undefined pool 'b' (defined: a)",
        "'pools:\\n  a:\\n    backends: [127.0.0.1:1]\\nlisteners:\\n  - protocol: http\\n    listen: 127.0.0.1:0\\n    routes:\\n      - backends: [{name: a, weight: 95}, {name: c, weight: 5}]'|lb.yaml:8: listeners[0].routes[0].backends[1].name: route to undefined pool 'c' (defined: a)",
        "'pools:\\n  a:\\n    backends: [127.0.0.1:1]\\nlisteners:\\n  - protocol: tcp\\n    listen: 127.0.0.1:0\\n    pool: a\\n    idle-timeout: forever'|lb.yaml:8: listeners[0].idle-timeout: 'forever' (expected: a duration such as 500ms, 5s, 2m, 1h)",
        "'pools:\\n  a:\\n    backends: [127.0.0.1:1]\\nlisteners:\\n  - protocol: sctp\\n    listen: 127.0.0.1:0'|lb.yaml:5: listeners[0].protocol: 'sctp' (expected: tcp, udp or http)",
        "'pools:\\n  a:\\n    backends: [127.0.0.1:1]\\nlisteners:\\n  - protocol: udp\\n    pool: a'|lb.yaml:5: listeners[0]: missing 'listen'",
        "'pools:\\n  a:\\n    backends: [127.0.0.1:1]\\nlisteners:\\n  - protocol: http\\n    listen: 127.0.0.1:0\\n    routes:\\n      - match: {pth: /x}\\n        to: a'|lb.yaml:8: listeners[0].routes[0].match: unknown key 'pth' (expected: header, header-regex, host, iprefix, method, path, prefix, query, regex)",
        "'pools:\\n  a:\\n    backends: [127.0.0.1:1]\\n    health: {type: http}\\nlisteners: []'|lb.yaml:4: pools.a.health: missing 'path'",
        "'pools:\\n  a:\\n    backends: [127.0.0.1:1]\\n    algorithm: fastest\\nlisteners: []'|lb.yaml:4: pools.a.algorithm: algorithm: 'fastest' (expected: one of round-robin, weighted, least-connections, random, p2c, peak-ewma, ip-hash, ring-hash, maglev, ring-hash-bounded, maglev-bounded)",
        "'pools:\\n  a: [1, 2'|lb.yaml:2: not valid YAML: expected ',' or ']', but got <stream end>",
        "'pools:\\n  a:\\n    backends: [127.0.0.1:1]\\n  a:\\n    backends: [127.0.0.1:2]\\nlisteners: []'|lb.yaml:4: pools: duplicate key 'a'",
        "'listeners: []'|lb.yaml:1: missing 'pools'",
        "'pools: {}\\nlisteners: []'|lb.yaml:1: listeners: none (expected: at least one)",
        "'admin: {listen: 127.0.0.1}\\npools: {}\\nlisteners: []'|lb.yaml:1: admin.listen: '127.0.0.1' (expected: HOST:PORT)",
        "'admin: {listen: 127.0.0.1:0, tokn: x}\\npools: {}\\nlisteners: []'|lb.yaml:1: admin: unknown key 'tokn' (expected: insecure, listen, token, token-file)",
        "'admin: {listen: 127.0.0.1:0, token-file: /nonexistent/t}\\npools: {}\\nlisteners: []'|lb.yaml:1: admin.token-file: cannot read the token: /nonexistent/t",
        "'pools:\\n  a:\\n    discover: {type: srv, name: _a._tcp.x, port: 80}\\nlisteners: []'|lb.yaml:3: pools.a.discover.port: an SRV record carries its own port",
        "'pools:\\n  a:\\n    discover: {type: dns, name: a.x}\\nlisteners: []'|lb.yaml:3: pools.a.discover: missing 'port'",
        "'pools:\\n  a:\\n    discover: {type: mdns, name: a.x, port: 1}\\nlisteners: []'|lb.yaml:3: pools.a.discover.type: 'mdns' (expected: dns or srv)",
        "'pools:\\n  a:\\n    discover: {name: a.x, port: 1, interval: 1ms}\\nlisteners: []'|lb.yaml:3: pools.a.discover.interval: interval: 1ms (expected: at least 100ms)",
        "'pools:\\n  a: {backends: [127.0.0.1:1]}\\nlisteners:\\n  - protocol: http\\n    listen: 127.0.0.1:0\\n    routes: [{to: a}]\\n    policies: {retry: 3}'|lb.yaml:7: listeners[0].policies: unknown key 'retry' (expected: auth, auth-failure-limit, circuit-breaker, compression, hash-by, rate-limit, request-headers, request-id, response-headers, retries, security-headers, sticky, trust-request-id, upgrades)",
        "'pools:\\n  a: {backends: [127.0.0.1:1]}\\nlisteners:\\n  - protocol: http\\n    listen: 127.0.0.1:0\\n    routes: [{to: a}]\\n    policies: {rate-limit: 10/fortnight}'|lb.yaml:7: listeners[0].policies.rate-limit per: '1fortnight' (expected: a duration such as 500ms, 5s, 2m, 1h)",
        "'pools:\\n  a: {backends: [127.0.0.1:1]}\\nlisteners:\\n  - protocol: http\\n    listen: 127.0.0.1:0\\n    routes: [{to: a, policies: {auth: {type: jwt}}}]'|lb.yaml:6: listeners[0].routes[0].policies.auth: JWT: no verification key given",
        "'pools:\\n  a: {backends: [127.0.0.1:1]}\\nlisteners:\\n  - protocol: http\\n    listen: 127.0.0.1:0\\n    routes: [{to: a}]\\n    policies: {request-headers: {set: {Content-Length: 1}}}'|lb.yaml:7: listeners[0].policies.request-headers: header Content-Length frames the message and is the proxy's to manage",
        "'access-log: sometimes\\npools: {}\\nlisteners: []'|lb.yaml:1: access-log: 'sometimes' (expected: true or false)",
        "'pools:\\n  a: {backends: [127.0.0.1:1]}\\nlisteners:\\n  - protocol: http\\n    listen: 127.0.0.1:0\\n    routes: [{to: a}]\\n    http2: {max-concurrent-streams: 0}'|lb.yaml:7: listeners[0].http2.max-concurrent-streams: '0' (expected: a whole number from 1 to 100000)",
    })
    void rejectsMistakesWithFileLineAndProblem(String yaml, String expected) {
        assertEquals(expected, error(yaml.replace("\\n", "\n")));
    }
}
