package io.jlb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.OutlierDetection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandLineTest {
    private static String error(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        assertEquals(2, status, "exit status of a mistake");
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(!text.contains("Exception") && !text.contains("\tat "), "no stack trace: " + text);
        return text.lines().findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "tcp --listen 127.0.0.1:0 --backend 127.0.0.1:1 --conect-timeout 5s|lb tcp: unknown option '--conect-timeout' (did you mean --connect-timeout?)",
        "tcp --backend 127.0.0.1:1|lb tcp: --listen is required",
        "http --listen 127.0.0.1:0 --discover dns:api.internal|lb http: --discover: 'dns:api.internal' (expected: dns:HOST:PORT)",
        "http --listen 127.0.0.1:0 --discover consul:api|lb http: --discover: 'consul:api' (expected: dns:HOST:PORT[,...] or srv:NAME[,...])",
        "http --listen 127.0.0.1:0 --discover srv:_a._tcp.x,every=5s|lb http: --discover: unknown option 'every' (expected: interval, server, weight, pool)",
        "http --listen 127.0.0.1:0 --backend 127.0.0.1:1 --admin 9901|lb http: --admin: '9901' (expected: HOST:PORT)",
        "http --listen 127.0.0.1:0 --backend 127.0.0.1:1 --admin-token x|lb http: --admin-token: no --admin listener to guard",
        "tcp --listen 127.0.0.1:0|lb tcp: --backend is required (at least one), or --discover",
        "tcp --listen 127.0.0.1:0 --backend 127.0.0.1|lb tcp: --backend: backend: '127.0.0.1' (expected: host:port or [ipv6]:port)",
        "tcp --listen 127.0.0.1:0 --backend 127.0.0.1:1,weight=0|lb tcp: --backend weight: '0' (expected: a whole number from 1 to 1000)",
        "tcp --listen 127.0.0.1:0 --backend 127.0.0.1:1,wieght=2|lb tcp: --backend: unknown option 'wieght' in '127.0.0.1:1,wieght=2' (expected: weight=N, backup, name=NAME, pool=POOL, zone=ZONE)",
        "tcp --listen 127.0.0.1:0 --backend 127.0.0.1:1 --algorithm round-robbin|lb tcp: --algorithm: algorithm: 'round-robbin' (expected: one of round-robin, weighted, least-connections, random, p2c, peak-ewma, ip-hash, ring-hash, maglev, ring-hash-bounded, maglev-bounded)",
        "tcp --listen 127.0.0.1:0 --backend 127.0.0.1:1 --connect-timeout 5x|lb tcp: --connect-timeout: '5x' (expected: a duration such as 500ms, 5s, 2m, 1h)",
        "tcp --listen 127.0.0.1:0 --backend 127.0.0.1:1 --proxy-protocol v3|lb tcp: --proxy-protocol: proxy protocol: 'v3' (expected: v1 or v2)",
        "tcp --listen 127.0.0.1:0 --backend 127.0.0.1:1 --health udp|lb tcp: --health: 'udp' (expected: tcp[,...] or http:/path[,...])",
        "tcp --listen 127.0.0.1:0 --backend 127.0.0.1:1 --health tcp,every=2s|lb tcp: --health: unknown option 'every' (expected: interval, timeout, rise, fall)",
        "tcp --listen 127.0.0.1 --backend 127.0.0.1:1|lb tcp: --listen: '127.0.0.1' (expected: HOST:PORT)",
        "tcp --listen 127.0.0.1:0 --listen 127.0.0.1:1 --backend 127.0.0.1:1|lb tcp: --listen given twice",
        "tcp --listen 127.0.0.1:0 --backend|lb tcp: --backend needs a value (HOST:PORT[,weight=N][,backup][,name=N][,pool=P])",
        "tcp --listen 127.0.0.1:0 --backend 127.0.0.1:1 --sni 'a.example.com -> api'|lb tcp: --sni: pool 'api' has no backend (give one with --backend HOST:PORT,pool=api; pools: default)",
        "http --listen 127.0.0.1:0 --backend 127.0.0.1:1 --route 'pth=/x -> default'|lb http: --route: unknown condition 'pth' (expected: one of host, path, prefix, iprefix, regex, method, header, header-regex, query)",
        "http --listen 127.0.0.1:0 --backend 127.0.0.1:1 --route 'path=/x'|lb http: --route: 'path=/x' (expected: 'CONDITIONS -> POOL', e.g. 'path=/api/* -> api')",
        "http --listen 127.0.0.1:0 --backend 127.0.0.1:1 --route 'regex=([ -> default'|lb http: --route: regex: '([' is not a regular expression: Unclosed character class",
        "http --listen 127.0.0.1:0 --backend 127.0.0.1:1 --health http:health|lb http: --health: http health check path: 'health' (expected: /path without spaces)",
        "http --listen 127.0.0.1:0 --backend 127.0.0.1:1 --max-header-bytes lots|lb http: --max-header-bytes: 'lots' (expected: a size such as 8192, 64k, 1m)",
        "http --listen 127.0.0.1:0 --backend 127.0.0.1:1 --forwarded-headers maybe|lb http: --forwarded-headers: 'maybe' (expected: on or off)",
        "udp --listen 127.0.0.1:0 --backend 127.0.0.1:1 --session-timeout 0|lb udp: --session-timeout: must be above 0",
        "frobnicate|lb frobnicate: unknown command 'frobnicate' (expected: one of demo, tcp, udp, http, run)",
        "run|lb run: expected one configuration file (lb run CONFIG.yaml)",
        "run /no/such/file.yaml|lb run: /no/such/file.yaml: no such file",
        "demo --http-port 99999|lb demo: --http-port: '99999' (expected: a whole number from 0 to 65535)",
    })
    void namesEveryMistake(String command, String expected) {
        List<String> args = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("'([^']*)'|(\\S+)").matcher(command);
        while (m.find()) {
            args.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        assertEquals(expected, error(args.toArray(String[]::new)));
    }

    @Test
    void helpIsPrintedForEveryCommand() {
        for (String command : Launcher.COMMANDS) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int status = Main.run(new String[] {command, "--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    System.err, false);
            assertEquals(0, status);
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: lb " + command), command);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err, false));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("run CONFIG"));
    }

    @Test
    void buildsTheConfigurationTheOptionsDescribe() {
        CommandLine cl = new CommandLine("http", Commands.httpOptions()).parse(List.of("--listen", "127.0.0.1:0",
                "--backend", "127.0.0.1:1,weight=3", "--backend", "127.0.0.1:2,pool=api,name=api-1",
                "--route", "host=api.example.com path=/v1/* -> api strip=/v1", "--route", "header=X-Canary:true -> api:5,default:95",
                "--health", "http:/health,expect=200-299,interval=500ms,fall=2", "--passive", "failures=2,eject=3s",
                "--idle-timeout", "5s", "--max-body-bytes", "1m"));
        Config c = Commands.http(cl);
        assertEquals(List.of("default", "api"), c.pools().stream().map(Config.PoolSpec::name).toList());
        assertEquals(3, c.pools().get(0).backends().get(0).weight());
        assertEquals("api-1", c.pools().get(1).backends().get(0).name());
        assertEquals("http", c.pools().get(0).health().kind());
        assertEquals("/health,expect=200-299", c.pools().get(0).health().httpSpec());
        assertEquals(Duration.ofMillis(500), c.pools().get(0).health().interval());
        assertEquals(OutlierDetection.defaults().withConsecutiveFailures(2).withBaseEjectionTime(Duration.ofSeconds(3)),
                c.pools().get(0).passive());
        Config.Http h = (Config.Http) c.listeners().get(0);
        assertEquals(3, h.routes().size(), "the default pool catches the rest");
        assertEquals("/v1", h.routes().get(0).stripPrefix());
        assertEquals(java.util.Map.of("api", 5, "default", 95), h.routes().get(1).targets());
        assertEquals(Duration.ofSeconds(5), h.timeouts().clientIdle());
        assertEquals(1 << 20, h.limits().maxBodyBytes());
    }

    @Test
    void http2SettingsFromTheOption() {
        CommandLine cl = new CommandLine("http", Commands.httpOptions()).parse(List.of("--listen", "127.0.0.1:0",
                "--backend", "127.0.0.1:1", "--http2", "on,max-concurrent-streams=256,initial-window=256k,max-glitches=50"));
        Config.Http h = (Config.Http) Commands.http(cl).listeners().get(0);
        assertEquals(io.jlb.http.Http2Settings.defaults().withMaxConcurrentStreams(256).withInitialWindow(256 * 1024)
                .withMaxGlitches(50), h.http2());
        CommandLine off = new CommandLine("http", Commands.httpOptions()).parse(List.of("--listen", "127.0.0.1:0",
                "--backend", "127.0.0.1:1", "--http2", "off"));
        assertEquals(false, ((Config.Http) Commands.http(off).listeners().get(0)).http2().enabled());
        CommandLine typo = new CommandLine("http", Commands.httpOptions()).parse(List.of("--listen", "127.0.0.1:0",
                "--backend", "127.0.0.1:1", "--http2", "on,max-streams=5"));
        UsageException e = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class, () -> Commands.http(typo));
        assertTrue(e.getMessage().contains("--http2") && e.getMessage().contains("max-streams"), e.getMessage());
    }
}
