package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.LoadBalancer;
import io.jlb.core.testing.TestTls;
import io.jlb.core.testing.Tools;
import io.jlb.nio.ServerTls;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HTTP/2 through the proxy with the real clients of the field: curl, nghttp, h2load, Python's h2, Chromium. */
@Timeout(180)
class Http2ClientsIT {
    @TempDir
    static Path dir;
    static TestTls site;
    static RawHttpBackend app;
    static LoadBalancer lb;
    static HttpProxy tls;
    static HttpProxy clear;

    @BeforeAll
    static void start() throws Exception {
        site = TestTls.make("localhost", 2, "EC", "localhost");
        app = new RawHttpBackend("app", (req, socket, out) -> {
            if (req.target().equals("/page")) {
                RawHttpBackend.respond(out, 200, "<html><body><p id=p>?</p><script>document.getElementById('p')"
                        + ".textContent = 'protocol=' + performance.getEntriesByType('navigation')[0].nextHopProtocol;"
                        + "</script></body></html>", "Content-Type: text/html");
                return true;
            }
            RawHttpBackend.respond(out, 200, req.method() + " " + req.target() + " body=" + new String(req.body(),
                    StandardCharsets.UTF_8) + " trailer=" + req.header("x-request-trailer"));
            return true;
        });
        lb = LoadBalancer.builder().pool("app", p -> p.backend(app.hostPort())).build();
        ServerTls serverTls = ServerTls.builder().certificate(site.writeCertificatePem(dir.resolve("site.pem")),
                site.writePrivateKeyPem(dir.resolve("site.key"))).build();
        tls = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(2).tls(serverTls).pool("app")
                .build().start();
        clear = HttpProxy.builder().listen("127.0.0.1:0").loadBalancer(lb).threads(2).pool("app").build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        tls.close();
        clear.close();
        lb.close();
        app.close();
    }

    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished: " + String.join(" ", command));
        return out.toString(StandardCharsets.UTF_8);
    }

    static String clearUrl(String path) {
        return "http://127.0.0.1:" + clear.address().getPort() + path;
    }

    static String tlsUrl(String path) {
        return "https://localhost:" + tls.address().getPort() + path;
    }

    @Test
    void curlWithPriorKnowledgeAndOverTls() throws Exception {
        String curl = Tools.require("curl").toString();
        Path ca = site.writeCertificatePem(dir.resolve("ca.pem"));
        assertEquals("2 GET /curl body= trailer=null", run(curl, "-sS", "--http2-prior-knowledge", "-w",
                "%{http_version} ", "-o", "/dev/null", clearUrl("/curl")) + run(curl, "-sS", "--http2-prior-knowledge",
                clearUrl("/curl")));
        assertEquals("2 POST /up body=posted trailer=null", run(curl, "-sS", "--http2", "--cacert", ca.toString(),
                "-w", "%{http_version} ", "-o", "/dev/null", tlsUrl("/up")) + run(curl, "-sS", "--http2", "--cacert",
                ca.toString(), "--data-binary", "posted", tlsUrl("/up")));
        assertEquals("1.1", run(curl, "-sS", "--http1.1", "--cacert", ca.toString(), "-w", "%{http_version}", "-o",
                "/dev/null", tlsUrl("/h1")));
    }

    @Test
    void nghttpSeesTheFramesItExpects() throws Exception {
        String nghttp = Tools.require("nghttp").toString();
        String out = run(nghttp, "-nv", clearUrl("/ng"), clearUrl("/ng2"));
        assertTrue(out.contains("recv SETTINGS frame"), out);
        assertTrue(out.contains("(stream_id=13) :status: 200") && out.contains("(stream_id=15) :status: 200"), out);
        assertTrue(out.contains("send GOAWAY frame"), out); // nghttp's own, as it leaves
        String overTls = run(nghttp, "-nv", tlsUrl("/ng"));
        assertTrue(overTls.contains("The negotiated protocol: h2") && overTls.contains(":status: 200"), overTls);
    }

    @Test
    void h2loadManyStreamsOnFewConnectionsAllSucceed() throws Exception {
        String h2load = Tools.require("h2load").toString();
        String out = run(h2load, "-n", "4000", "-c", "4", "-m", "32", clearUrl("/load"));
        assertTrue(out.contains("4000 succeeded, 0 failed, 0 errored"), out);
        assertTrue(out.contains("status codes: 4000 2xx"), out);
        String overTls = run(h2load, "-n", "1000", "-c", "8", "-m", "8", tlsUrl("/load"));
        assertTrue(overTls.contains("1000 succeeded, 0 failed, 0 errored"), overTls);
        assertTrue(overTls.contains("Application protocol: h2"), overTls);
    }

    /** Debian's python3 with the h2 package (a python3 earlier on PATH may lack it). */
    static String pythonWithH2() throws Exception {
        List<String> candidates = new ArrayList<>(List.of("/usr/bin/python3"));
        Tools.find("python3").ifPresent(p -> candidates.add(p.toString()));
        for (String python : candidates) {
            if (Files.isExecutable(Path.of(python)) && run(python, "-c", "import h2; print('ok')").trim().equals("ok")) {
                return python;
            }
        }
        String why = "python3 with h2 is not installed (.ci/run installs python3-h2)";
        if (System.getenv("JLB_REQUIRE_TOOLS") != null) {
            Assertions.fail(why);
        }
        Assumptions.abort(why);
        return null;
    }

    @Test
    void pythonH2FrameLevelCases() throws Exception {
        String python = pythonWithH2();
        Path script = dir.resolve("client.py");
        try (InputStream in = Http2ClientsIT.class.getResourceAsStream("/h2/client.py")) {
            Files.copy(in, script);
        }
        String port = Integer.toString(clear.address().getPort());
        assertEquals("status=200 body=POST /py body=hello from h2 trailer=null",
                run(python, script.toString(), port, "trailers").trim());
        String raw = app.allRawReceived();
        assertTrue(raw.contains("POST /py HTTP/1.1\r\n") && raw.contains("Transfer-Encoding: chunked\r\n")
                && raw.contains("\r\n0\r\nx-request-trailer: yes\r\n\r\n"), "the request as the backend got it"); // the request's trailers, carried
        assertEquals("reset=PROTOCOL_ERROR", run(python, script.toString(), port, "uppercase").trim());
        String rapid = run(python, script.toString(), port, "rapid-reset").trim();
        assertTrue(rapid.equals("goaway=ENHANCE_YOUR_CALM") || rapid.equals("goaway=closed"), rapid);
        assertTrue(clear.stats().http2LimitTrips("rapid_reset") >= 1);
    }

    @Test
    void chromiumLoadsAPageOverH2() throws Exception {
        HeadlessChromium chromium = new HeadlessChromium(dir);
        String dom = chromium.dumpDom(tlsUrl("/page"), 2000, "--ignore-certificate-errors");
        assertTrue(dom.contains("protocol=h2"), dom);
    }
}
