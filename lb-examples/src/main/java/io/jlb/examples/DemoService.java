package io.jlb.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small HTTP service for the demo, on the JDK's built-in server: answers every request with JSON naming itself
 * and what it saw of the caller (X-Forwarded-For, Via), and {@code /health} with {@code ok}.
 */
final class DemoService implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final String name;
    private final String version;

    DemoService(String name, String version) throws IOException {
        this.name = name;
        this.version = version;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "demo-" + name);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        String body;
        if (exchange.getRequestURI().getPath().equals("/health")) {
            body = "ok\n";
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
        } else {
            body = "{\"service\":\"" + name + "\",\"version\":\"" + version + "\",\"method\":\""
                    + exchange.getRequestMethod() + "\",\"path\":\"" + json(exchange.getRequestURI().getRawPath())
                    + "\",\"forwarded-for\":\"" + json(header(exchange, "X-Forwarded-For")) + "\",\"via\":\""
                    + json(header(exchange, "Via")) + "\"}\n";
            exchange.getResponseHeaders().set("Content-Type", "application/json");
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String header(HttpExchange exchange, String name) {
        String v = exchange.getRequestHeaders().getFirst(name);
        return v == null ? "" : v;
    }

    private static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    String hostPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    String name() {
        return name;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
