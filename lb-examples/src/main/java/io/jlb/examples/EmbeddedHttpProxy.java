package io.jlb.examples;

import com.sun.net.httpserver.HttpServer;
import io.jlb.core.LoadBalancer;
import io.jlb.http.HttpProxy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An application that already runs an HTTP server (the JDK's) and embeds jlb's L7 proxy in the same JVM: the
 * proxy starts and stops with the application's own lifecycle, and the application serves its own endpoints while
 * the proxy routes {@code /api/*} to a pool of backends.
 */
public final class EmbeddedHttpProxy implements AutoCloseable {
    private final HttpServer app;
    private final LoadBalancer lb;
    private final HttpProxy proxy;

    /** Starts the application on a free port and the proxy on another, routing {@code /api/*} to {@code backends}. */
    public EmbeddedHttpProxy(List<String> backends) throws IOException {
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        app.createContext("/", exchange -> {
            byte[] body = "hello from the application\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        app.start();
        lb = LoadBalancer.builder()
                .pool("api", pool -> pool.backends(backends.toArray(String[]::new)))
                .pool("self", pool -> pool.backend("127.0.0.1:" + app.getAddress().getPort()))
                .build()
                .start();
        proxy = HttpProxy.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .loadBalancer(lb)
                .routes(r -> r.pathPrefix("/api/").to("api").defaultTo("self"))
                .build()
                .start();
    }

    /** Where the proxy listens. */
    public InetSocketAddress proxyAddress() {
        return proxy.address();
    }

    /** Stops the proxy (draining), its load balancer, then the application's server. */
    @Override
    public void close() {
        proxy.close();
        lb.close();
        app.stop(0);
    }

    /** {@code EmbeddedHttpProxy HOST:PORT ...}: runs until Ctrl-C. */
    public static void main(String[] args) throws Exception {
        EmbeddedHttpProxy embedded = new EmbeddedHttpProxy(List.of(args));
        System.out.println("proxy on http://127.0.0.1:" + embedded.proxyAddress().getPort());
        Runtime.getRuntime().addShutdownHook(new Thread(embedded::close));
        Thread.currentThread().join();
    }
}
