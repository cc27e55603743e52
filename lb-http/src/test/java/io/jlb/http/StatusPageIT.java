package io.jlb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jlb.core.Backend;
import io.jlb.core.LoadBalancer;
import io.jlb.core.OutlierDetection;
import io.jlb.core.testing.Await;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The status page in a real browser: headless chromium runs its script against a live admin listener. */
@Timeout(180)
class StatusPageIT {
    private static final Pattern BACKEND_ROW = Pattern.compile("<tr ([^>]*data-backend=\"[^\"]*\"[^>]*)>");
    private static final Pattern ATTRIBUTE = Pattern.compile("([a-z-]+)=\"([^\"]*)\"");

    @TempDir
    Path scratch;

    @Test
    void showsEveryBackendWithItsStateInARealBrowser() throws Exception {
        HeadlessChromium chromium = new HeadlessChromium(scratch);
        int refused;
        try (ServerSocket s = new ServerSocket(0)) {
            refused = s.getLocalPort(); // closed again: connecting to it is refused
        }
        try (RawHttpBackend up = RawHttpBackend.named("up");
                RawHttpBackend down = RawHttpBackend.named("down");
                RawHttpBackend draining = RawHttpBackend.named("draining");
                RawHttpBackend ramping = RawHttpBackend.named("ramping");
                LoadBalancer lb = LoadBalancer.builder().pool("shop", p -> p.selector("round-robin")
                        .slowStart(Duration.ofMinutes(10))
                        .outlierDetection(OutlierDetection.defaults().withConsecutiveFailures(2).withBaseEjectionTime(Duration.ofMinutes(10)))
                        .backend(Backend.parse(up.hostPort()).withName("web-1"))
                        .backend(Backend.parse(down.hostPort()).withName("web-2"))
                        .backend(Backend.parse(draining.hostPort()).withName("web-3"))
                        .backend(Backend.parse("127.0.0.1:" + refused).withName("web-4").withWeight(3))).build();
                HttpProxy web = HttpProxy.builder().name("storefront").listen("127.0.0.1:0").loadBalancer(lb)
                        .pool("shop").threads(1).build().start();
                AdminServer admin = AdminServer.builder().listen("127.0.0.1:0").loadBalancer(lb)
                        .watch("storefront", web).bearerToken("page-token").build().start()) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI front = URI.create("http://127.0.0.1:" + web.address().getPort() + "/");
            for (int i = 0; i < 30; i++) {
                assertEquals(200, http.send(HttpRequest.newBuilder(front).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode(), "a refused backend is retried on another");
            }
            Await.until(Duration.ofSeconds(10), "web-4 is ejected",
                    () -> lb.pool("shop").member("web-4").orElseThrow().state().label().equals("ejected"));
            lb.pool("shop").markUp("web-1", "checked by hand");
            lb.pool("shop").markDown("web-2", "503 from /health");
            lb.pool("shop").drain("web-3");
            lb.pool("shop").add(Backend.parse(ramping.hostPort()).withName("web-5"));

            URI status = URI.create("http://127.0.0.1:" + admin.address().getPort() + "/status");
            Await.until(Duration.ofSeconds(10), "a second of trend sampled after the traffic", () -> {
                try {
                    String body = http.send(HttpRequest.newBuilder(status).header("Authorization", "Bearer page-token")
                            .build(), HttpResponse.BodyHandlers.ofString()).body();
                    return !body.contains("\"rate\":[]");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });

            String url = "http://127.0.0.1:" + admin.address().getPort() + "/#token=page-token";
            String dom = chromium.dumpDom(url, 4000);
            Map<String, Map<String, String>> rows = backendRows(dom);
            assertEquals(5, rows.size(), "one row per backend: " + rows.keySet());
            assertEquals("up", rows.get("web-1").get("data-state"));
            assertEquals("down", rows.get("web-2").get("data-state"));
            assertEquals("draining", rows.get("web-3").get("data-state"));
            assertEquals("ejected", rows.get("web-4").get("data-state"));
            assertEquals("true", rows.get("web-5").get("data-slow-start"));
            assertTrue(dom.contains("data-pool=\"shop\""), "a table for the pool");
            assertTrue(dom.contains("data-listener=\"storefront\""), "a row for the listener");
            assertTrue(dom.contains("503 from /health"), "the reason is shown");
            assertTrue(dom.contains("<span id=\"livetext\">live</span>"), "the page reached /status with its token");
            assertTrue(dom.contains("class=\"badge ejected\""), "states are coloured badges");
            assertTrue(dom.contains("class=\"badge slow\""), "a backend in slow start has its own badge");
            assertTrue(dom.contains("<polyline points="), "sparklines are drawn from the sampled trend");

            String withoutToken = chromium.dumpDom("http://127.0.0.1:" + admin.address().getPort() + "/", 3000);
            assertTrue(withoutToken.contains("wants a token"), "a missing token is explained on the page");

            Path png = Path.of("target", "status-page.png");
            chromium.screenshot(url, png, 1400, 700, 4000);
            assertTrue(Files.size(png) > 10_000, "a screenshot of a rendered page, not a blank one");
        }
    }

    private static Map<String, Map<String, String>> backendRows(String dom) {
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        Matcher row = BACKEND_ROW.matcher(dom);
        while (row.find()) {
            Map<String, String> attributes = new LinkedHashMap<>();
            Matcher a = ATTRIBUTE.matcher(row.group(1));
            while (a.find()) {
                attributes.put(a.group(1), a.group(2));
            }
            rows.put(attributes.get("data-backend"), attributes);
        }
        return rows;
    }
}
