package io.jlb.core;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * DNS lookups through the JDK's JNDI DNS provider ({@code com.sun.jndi.dns}), against given servers or the
 * system's; addresses through {@link InetAddress} when asked to use the system resolver.
 */
final class JndiDns implements DnsResolver {
    private static final String FACTORY = "com.sun.jndi.dns.DnsContextFactory";

    private final List<String> servers;
    private final boolean systemAddresses;

    JndiDns(List<String> servers, boolean systemAddresses) {
        for (String s : servers) {
            Backend.parse(s); // checks host:port
        }
        this.servers = List.copyOf(servers);
        this.systemAddresses = systemAddresses;
    }

    @Override
    public List<InetAddress> addresses(String host) throws IOException {
        if (systemAddresses) {
            try {
                return List.of(InetAddress.getAllByName(host));
            } catch (UnknownHostException e) {
                throw new IOException("no address for '" + host + "'", e);
            }
        }
        List<InetAddress> out = new ArrayList<>();
        for (String type : new String[] {"A", "AAAA"}) {
            for (String value : lookup(host, type)) {
                out.add(InetAddress.getByName(value)); // a literal: no lookup
            }
        }
        if (out.isEmpty()) {
            throw new IOException("no A or AAAA record for '" + host + "'");
        }
        return out;
    }

    @Override
    public List<Srv> services(String name) throws IOException {
        List<Srv> out = new ArrayList<>();
        for (String value : lookup(name, "SRV")) {
            String[] f = value.trim().split("\\s+");
            if (f.length != 4) {
                throw new IOException("malformed SRV record for '" + name + "': " + value);
            }
            try {
                String target = f[3].endsWith(".") ? f[3].substring(0, f[3].length() - 1) : f[3];
                out.add(new Srv(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]), target));
            } catch (IllegalArgumentException e) {
                throw new IOException("malformed SRV record for '" + name + "': " + value, e);
            }
        }
        if (out.isEmpty()) {
            throw new IOException("no SRV record for '" + name + "'");
        }
        return out;
    }

    private List<String> lookup(String name, String type) throws IOException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(DirContext.INITIAL_CONTEXT_FACTORY, FACTORY);
        env.put("com.sun.jndi.dns.timeout.initial", "1000");
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        if (!servers.isEmpty()) {
            StringBuilder url = new StringBuilder();
            for (String s : servers) {
                url.append(url.length() == 0 ? "" : " ").append("dns://").append(s);
            }
            env.put(DirContext.PROVIDER_URL, url.toString());
        }
        DirContext context = null;
        try {
            context = new InitialDirContext(env);
            Attributes attributes = context.getAttributes(name, new String[] {type});
            Attribute records = attributes.get(type);
            List<String> values = new ArrayList<>();
            if (records != null) {
                NamingEnumeration<?> all = records.getAll();
                while (all.hasMore()) {
                    values.add(String.valueOf(all.next()));
                }
            }
            return values;
        } catch (NameNotFoundException e) {
            throw new IOException("no such name '" + name + "' (NXDOMAIN)", e);
        } catch (NamingException e) {
            Throwable root = e.getRootCause();
            String why = e.getExplanation() + (root != null && root.getMessage() != null ? " (" + root.getMessage() + ")" : "");
            throw new IOException(type + " lookup of '" + name + "' failed: " + why, e);
        } finally {
            if (context != null) {
                try {
                    context.close();
                } catch (NamingException ignored) {
                    // nothing held
                }
            }
        }
    }
}
