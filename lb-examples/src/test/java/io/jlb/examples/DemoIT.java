package io.jlb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo, in-process on free ports: the seeds' routes, the canary split, and the L4 entry's PROXY chain. */
@Timeout(60)
class DemoIT {
    @Test
    void routesAsPrintedAndKeepsTheCallersAddressThroughTheL4Entry() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (Running demo = Main.start("demo", List.of("--http-port", "0", "--tcp-port", "0", "--admin-port", "0",
                "--threads", "1"),
                new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            String text = printed.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("curl -s http://127.0.0.1:"), text);
            InetSocketAddress router = demo.addresses().get("router");
            HttpClient http = HttpClient.newHttpClient();
            assertTrue(get(http, router, "/api/v1/users", null).contains("\"service\":\"svc-1\""));
            assertTrue(get(http, router, "/api/v2/orders", null).contains("\"service\":\"svc-2\""));
            assertTrue(get(http, router, "/", "true").contains("\"version\":\"canary\""));
            int canary = 0;
            for (int i = 0; i < 400; i++) {
                if (get(http, router, "/", null).contains("canary")) {
                    canary++;
                }
            }
            assertTrue(canary > 4 && canary < 45, "about 5% canary: " + canary + " of 400");
            InetSocketAddress edge = demo.addresses().get("edge");
            try (Socket s = new Socket()) {
                s.connect(edge, 5000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET /api/v1/through-l4 HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(response.startsWith("HTTP/1.1 200"), response);
                assertTrue(response.contains("\"forwarded-for\":\"127.0.0.1\""), response);
                assertTrue(response.contains("\"path\":\"/api/v1/through-l4\""), response);
            }
            InetSocketAddress admin = demo.deployment().adminAddress().orElseThrow();
            assertTrue(text.contains("status page  http://127.0.0.1:" + admin.getPort() + "/"), text);
            String status = get(http, admin, "/status", null);
            for (String pool : List.of("api-v1", "api-v2", "stable", "canary", "routers")) {
                assertTrue(status.contains("\"name\":\"" + pool + "\""), "pool " + pool + " in " + status);
            }
            assertTrue(status.contains("\"name\":\"l7-router\""), "the L4 entry's backend, added at start");
            String metrics = get(http, admin, "/metrics", null);
            assertTrue(metrics.contains("jlb_listener_requests_total{listener=\"router\",protocol=\"http\"}"), metrics);
            assertTrue(get(http, admin, "/", null).contains("<title>jlb status</title>"));
        }
    }

    private static String get(HttpClient http, InetSocketAddress at, String path, String canary) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + path));
        if (canary != null) {
            b.header("X-Canary", canary);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }
}
