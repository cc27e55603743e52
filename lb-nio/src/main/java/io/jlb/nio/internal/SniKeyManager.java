package io.jlb.nio.internal;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Chooses the server certificate by the name the client asked for (SNI): an exact name, then a wildcard
 * ({@code *.example.com} covers one label), then the default (the first, or a certificate for the same names with
 * another key type), among certificates whose key fits what the handshake can use (EC or RSA). A name served only
 * with another key type answers "none" so that the engine asks for that key type next. The set is swapped whole on reload; handshakes in progress keep the one they
 * started with.
 */
public final class SniKeyManager extends X509ExtendedKeyManager {
    /** One certificate chain, its key, and the names it serves. */
    public record Entry(String alias, X509Certificate[] chain, PrivateKey key, List<String> names) {}

    private volatile List<Entry> entries;

    public SniKeyManager(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Replaces the certificates. */
    public void replace(List<Entry> replacement) {
        entries = List.copyOf(replacement);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The DNS names a certificate serves: its subject alternative names, else its common name. */
    public static List<String> names(X509Certificate c) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = c.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0))) {
                        names.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // fall back to the common name
        }
        if (names.isEmpty()) {
            String dn = c.getSubjectX500Principal().getName();
            for (String part : dn.split(",")) {
                if (part.trim().startsWith("CN=")) {
                    names.add(part.trim().substring(3).toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType, requestedName(engine == null ? null : engine.getHandshakeSession()));
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return choose(keyType, null);
    }

    private String choose(String keyType, String name) {
        List<Entry> all = entries;
        if (name != null) {
            String wildcard = name.indexOf('.') > 0 ? "*" + name.substring(name.indexOf('.')) : null;
            for (String wanted : new String[] {name, wildcard}) {
                if (wanted == null) {
                    continue;
                }
                boolean named = false;
                for (Entry e : all) {
                    if (e.names.contains(wanted)) {
                        named = true;
                        if (fits(e, keyType)) {
                            return e.alias;
                        }
                    }
                }
                if (named) {
                    return null; // a certificate has this name, with another key type: let the engine ask for that one
                }
            }
        }
        if (all.isEmpty()) {
            return null;
        }
        // No certificate has the name (or none was asked for): the default, the first, or one serving the same
        // names with the key type asked for (an RSA twin of an EC default); otherwise the engine asks again.
        List<String> defaultNames = all.get(0).names;
        for (Entry e : all) {
            if ((e == all.get(0) || e.names.equals(defaultNames)) && fits(e, keyType)) {
                return e.alias;
            }
        }
        return null;
    }

    private static boolean fits(Entry e, String keyType) {
        String alg = e.key.getAlgorithm();
        return keyType == null || keyType.equals(alg) || keyType.startsWith(alg + "_") || keyType.equals("EC_EC") && alg.equals("EC");
    }

    private static String requestedName(SSLSession session) {
        if (session instanceof ExtendedSSLSession ext) {
            for (SNIServerName n : ext.getRequestedServerNames()) {
                if (n instanceof SNIHostName host) {
                    return host.getAsciiName().toLowerCase(Locale.ROOT);
                }
            }
        }
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        for (Entry e : entries) {
            if (e.alias.equals(alias)) {
                return e.chain.clone();
            }
        }
        return null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        for (Entry e : entries) {
            if (e.alias.equals(alias)) {
                return e.key;
            }
        }
        return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return entries.stream().filter(e -> fits(e, keyType)).map(Entry::alias).toArray(String[]::new);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
