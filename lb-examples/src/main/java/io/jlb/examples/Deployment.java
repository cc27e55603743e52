package io.jlb.examples;

import io.jlb.core.HealthCheck;
import io.jlb.core.HealthProbe;
import io.jlb.core.LoadBalancer;
import io.jlb.core.LoadBalancerBuilder;
import io.jlb.core.PoolEvent;
import io.jlb.http.AdminServer;
import io.jlb.http.HttpHealthProbe;
import io.jlb.http.HttpProxy;
import io.jlb.http.HttpProxyBuilder;
import io.jlb.nio.AccessLog;
import io.jlb.nio.EventLoopGroup;
import io.jlb.nio.TcpProxy;
import io.jlb.nio.TcpProxyBuilder;
import io.jlb.nio.UdpProxy;
import io.jlb.nio.UdpProxyBuilder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running configuration: one load balancer holding every pool, one group of event loops shared by every
 * listener, and the listeners. Logs one line per pool change: a backend added, removed, updated, or changing
 * state. {@link #close()} drains and stops it all.
 */
final class Deployment implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("io.jlb.lb");

    private final LoadBalancer loadBalancer;
    private final EventLoopGroup loops;
    private final AccessLog accessLog;
    private final List<AutoCloseable> listeners = new ArrayList<>();
    private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    private final AdminServer.Builder admin;
    private final Config.Tls tls;
    private final List<io.jlb.nio.ServerTls> watchedTls = new ArrayList<>();
    private AdminServer adminServer;

    private Deployment(LoadBalancer loadBalancer, EventLoopGroup loops, Config.Observability observability,
            Config.Tls tls) {
        this.loadBalancer = loadBalancer;
        this.tls = tls;
        this.loops = loops;
        this.accessLog = observability.accessLog() ? AccessLog.create() : null;
        this.admin = observability.admin() == null ? null : AdminServer.builder().listen(observability.admin().listen())
                .loadBalancer(loadBalancer).eventLoops(loops);
        if (admin != null && observability.admin().token() != null) {
            admin.bearerToken(observability.admin().token());
        }
        if (admin != null) {
            admin.insecure(observability.admin().insecure());
        }
    }

    /** Checks {@code config} against itself, then starts it; on a failure everything started is stopped. */
    static Deployment start(Config config, int threads) {
        LoadBalancer lb = loadBalancer(config);
        EventLoopGroup loops = EventLoopGroup.create(threads);
        Deployment d;
        try {
            d = new Deployment(lb, loops, config.observability(), config.tls());
        } catch (RuntimeException e) {
            loops.close();
            lb.close();
            throw new UsageException("admin: " + e.getMessage(), e);
        }
        try {
            for (var pool : lb.pools()) {
                pool.addListener(Deployment::logStateChange);
            }
            lb.start();
            for (Config.Listener l : config.listeners()) {
                d.startListener(l);
            }
            d.startAdmin();
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    private static void logStateChange(PoolEvent event) {
        LOG.info("{}", event);
    }

    private static LoadBalancer loadBalancer(Config config) {
        LoadBalancerBuilder b = LoadBalancer.builder();
        for (Config.PoolSpec p : config.pools()) {
            try {
                b.pool(p.name(), pool -> {
                    p.backends().forEach(pool::backend);
                    pool.selector(p.algorithm());
                    if (p.health() != null) {
                        pool.healthCheck(healthCheck(p.health()));
                    }
                    pool.slowStart(p.slowStart());
                    pool.outlierDetection(p.passive());
                    pool.panicThreshold(p.panicThreshold());
                    if (p.discovery() != null) {
                        pool.discover(p.discovery());
                    }
                });
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new UsageException("pool '" + p.name() + "': " + e.getMessage(), e);
            }
        }
        return b.build();
    }

    private static HealthCheck healthCheck(Config.HealthSpec h) {
        HealthProbe probe = h.kind().equals("http") ? HttpHealthProbe.parse(h.httpSpec()) : HealthProbe.tcp();
        return HealthCheck.of(probe).withInterval(h.interval()).withTimeout(h.timeout()).withRise(h.rise())
                .withFall(h.fall());
    }

    private void startListener(Config.Listener listener) {
        AutoCloseable started;
        InetSocketAddress address;
        try {
            if (listener instanceof Config.Tcp t) {
                TcpProxyBuilder b = TcpProxy.builder().name(t.name()).listen(t.listen()).loadBalancer(loadBalancer)
                        .eventLoops(loops).connectTimeout(t.connectTimeout()).idleTimeout(t.idleTimeout())
                        .connectAttempts(t.connectAttempts())
                        .maxConnectionsPerBackend(t.maxConnectionsPerBackend()).drainTimeout(t.drainTimeout())
                        .acceptProxyProtocol(t.acceptProxyProtocol());
                if (t.maxConnections() >= 0) {
                    b.maxConnections(t.maxConnections());
                }
                if (t.pool() != null) {
                    b.pool(t.pool());
                }
                t.sni().forEach(s -> b.sniRoute(s.pattern(), s.pool()));
                if (t.sendProxyProtocol() != null) {
                    b.sendProxyProtocol(t.sendProxyProtocol());
                }
                if (accessLog != null) {
                    b.accessLog(accessLog);
                }
                TlsSpecs.ListenerTls tls = this.tls.listeners().get(t.name());
                if (tls != null) {
                    b.tls(watched(tls));
                }
                TcpProxy proxy = b.build().start();
                started = proxy;
                address = proxy.address();
                if (admin != null) {
                    admin.watch(t.name(), proxy);
                }
            } else if (listener instanceof Config.Udp u) {
                UdpProxyBuilder b = UdpProxy.builder().name(u.name()).listen(u.listen()).loadBalancer(loadBalancer)
                        .pool(u.pool()).eventLoops(loops).sessionTimeout(u.sessionTimeout()).maxSessions(u.maxSessions());
                if (accessLog != null) {
                    b.accessLog(accessLog);
                }
                UdpProxy proxy = b.build().start();
                started = proxy;
                address = proxy.address();
                if (admin != null) {
                    admin.watch(u.name(), proxy);
                }
            } else {
                Config.Http h = (Config.Http) listener;
                HttpProxyBuilder b = HttpProxy.builder().name(h.name()).listen(h.listen()).loadBalancer(loadBalancer)
                        .eventLoops(loops).limits(h.limits()).timeouts(h.timeouts()).forwardedHeaders(h.forwarded())
                        .acceptProxyProtocol(h.acceptProxyProtocol()).connectAttempts(h.connectAttempts())
                        .maxIdlePerBackend(h.maxIdlePerBackend()).drainTimeout(h.drainTimeout());
                if (h.maxConnections() >= 0) {
                    b.maxConnections(h.maxConnections());
                }
                if (h.trustedProxies() != null) {
                    b.trustedProxies(h.trustedProxies());
                }
                if (h.http2() != null) {
                    b.http2(h.http2());
                }
                if (h.pathNormalization() != null) {
                    b.pathNormalization(h.pathNormalization());
                }
                b.routes(routes -> h.routes().forEach(r -> RouteSpecs.addTo(routes, r)));
                if (h.policies() != null) {
                    b.policies(h.policies());
                }
                TlsSpecs.ListenerTls tls = this.tls.listeners().get(h.name());
                if (tls != null) {
                    b.tls(watched(tls));
                    if (tls.clientCertHeader() != null) {
                        b.clientCertificateHeader(tls.clientCertHeader());
                    }
                }
                if (this.tls.allBackends() != null) {
                    b.backendTls(this.tls.allBackends());
                }
                this.tls.pools().forEach(b::backendTls);
                if (accessLog != null) {
                    b.accessLog(accessLog);
                }
                HttpProxy proxy = b.build().start();
                started = proxy;
                address = proxy.address();
                if (admin != null) {
                    admin.watch(h.name(), proxy);
                }
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UsageException("listener '" + listener.name() + "': " + e.getMessage(), e);
        } catch (java.io.UncheckedIOException e) {
            throw new UsageException("listener '" + listener.name() + "': " + e.getMessage(), e);
        }
        listeners.add(started);
        addresses.put(listener.name(), address);
        String protocol = listener instanceof Config.Tcp ? "tcp" : listener instanceof Config.Udp ? "udp" : "http";
        LOG.info("{} listener '{}' on {}", protocol, listener.name(), format(address));
    }

    private void startAdmin() {
        if (admin == null) {
            return;
        }
        try {
            adminServer = admin.build().start();
        } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            throw new UsageException("admin: " + e.getMessage(), e);
        }
        LOG.info("admin listener on http://{}/ (status page, /metrics, /status, /admin/)", format(adminServer.address()));
    }

    /** The admin listener's address, if one runs. */
    java.util.Optional<InetSocketAddress> adminAddress() {
        return java.util.Optional.ofNullable(adminServer).map(AdminServer::address);
    }

    /** A listener's TLS, watching its files if asked to (stopped on close). */
    private io.jlb.nio.ServerTls watched(TlsSpecs.ListenerTls tls) {
        if (tls.reloadEvery() != null && !watchedTls.contains(tls.tls())) {
            tls.tls().watch(tls.reloadEvery());
            watchedTls.add(tls.tls());
        }
        return tls.tls();
    }

    static String format(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** The bound address of each listener, by name. */
    Map<String, InetSocketAddress> addresses() {
        return Map.copyOf(addresses);
    }

    LoadBalancer loadBalancer() {
        return loadBalancer;
    }

    /**
     * Closes the admin listener, drains and closes the listeners (in reverse order), then flushes the access log and
     * stops the loops and the load balancer.
     */
    @Override
    public void close() {
        if (adminServer != null) {
            adminServer.close();
        }
        for (int i = listeners.size() - 1; i >= 0; i--) {
            try {
                listeners.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing a listener failed", e);
            }
        }
        if (accessLog != null) {
            accessLog.close();
        }
        watchedTls.forEach(io.jlb.nio.ServerTls::close);
        loops.close();
        loadBalancer.close();
    }
}
