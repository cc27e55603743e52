package io.jlb.examples;

import io.jlb.core.HealthCheck;
import io.jlb.core.LoadBalancer;
import io.jlb.nio.TcpProxy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * L4 balancing in front of a database-like TCP service (Redis, PostgreSQL, or any line protocol): connections are
 * spread by least connections over health-checked replicas, bytes relayed untouched, idle connections closed
 * after five minutes.
 */
public final class TcpInFrontOfADatabase implements AutoCloseable {
    private final LoadBalancer lb;
    private final TcpProxy proxy;

    /** Listens on a free loopback port in front of {@code replicas} ({@code host:port}). */
    public TcpInFrontOfADatabase(List<String> replicas) {
        lb = LoadBalancer.builder()
                .pool("replicas", pool -> pool
                        .backends(replicas.toArray(String[]::new))
                        .selector("least-connections")
                        .healthCheck(HealthCheck.tcp().withInterval(Duration.ofSeconds(1))))
                .build()
                .start();
        proxy = TcpProxy.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .loadBalancer(lb)
                .pool("replicas")
                .idleTimeout(Duration.ofMinutes(5))
                .build()
                .start();
    }

    /** Where clients connect. */
    public InetSocketAddress address() {
        return proxy.address();
    }

    /** The load balancer behind the proxy. */
    public LoadBalancer loadBalancer() {
        return lb;
    }

    @Override
    public void close() {
        proxy.close();
        lb.close();
    }

    /** {@code TcpInFrontOfADatabase HOST:PORT ...}: runs until Ctrl-C. */
    public static void main(String[] args) throws Exception {
        TcpInFrontOfADatabase db = new TcpInFrontOfADatabase(List.of(args));
        System.out.println("connect to 127.0.0.1:" + db.address().getPort());
        Runtime.getRuntime().addShutdownHook(new Thread(db::close));
        Thread.currentThread().join();
    }
}
