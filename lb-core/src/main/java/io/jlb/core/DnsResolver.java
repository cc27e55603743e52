package io.jlb.core;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * Looks names up in DNS for {@link DnsDiscovery}: addresses (A and AAAA records) and services (SRV records).
 * Implementations are called from one discovery thread at a time and may block; a failed lookup (no such name, no
 * answer, a timeout) throws an {@link IOException} that says which.
 */
public interface DnsResolver {
    /** The addresses {@code host} resolves to, A and AAAA; never empty. */
    List<InetAddress> addresses(String host) throws IOException;

    /** The SRV records of {@code name} (such as {@code _http._tcp.api.service.consul}); never empty. */
    List<Srv> services(String name) throws IOException;

    /**
     * The JVM's own resolver for addresses ({@link InetAddress#getAllByName}, subject to its cache,
     * {@code networkaddress.cache.ttl}) and the JDK's JNDI DNS provider for SRV records, both asking the system's
     * configured name servers.
     */
    static DnsResolver system() {
        return new JndiDns(List.of(), true);
    }

    /**
     * Asks the given name servers directly, {@code host:port} each (Consul's DNS on {@code 127.0.0.1:8600}, a
     * cluster DNS service), for every record type through JNDI, bypassing the JVM's address cache.
     */
    static DnsResolver servers(String... hostAndPorts) {
        if (hostAndPorts.length == 0) {
            throw new IllegalArgumentException("servers: none (expected: at least one host:port)");
        }
        return new JndiDns(List.of(hostAndPorts), false);
    }

    /** One SRV record: a target host and port, with its priority (lower first) and weight (share within a priority). */
    record Srv(int priority, int weight, int port, String target) {
        /** Checks the ranges RFC 2782 gives. */
        public Srv {
            Objects.requireNonNull(target, "target");
            if (priority < 0 || priority > 65535 || weight < 0 || weight > 65535 || port < 0 || port > 65535) {
                throw new IllegalArgumentException("SRV record out of range: " + priority + " " + weight + " " + port
                        + " " + target);
            }
        }
    }
}
