package io.jlb.examples;

import io.jlb.nio.ClientTls;
import io.jlb.nio.ServerTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * TLS as the {@code lb} command and the configuration file write it: a listener's certificates and options
 * ({@link ServerTls}), and how HTTP listeners reach backends over TLS ({@link ClientTls}). Files are read (and keys
 * checked against certificates) here, so a mistake is reported before anything starts.
 */
final class TlsSpecs {
    private TlsSpecs() {}

    /** One certificate: a PEM chain and key, or a PKCS#12 file and its password. */
    record Certificate(Path cert, Path key, Path pkcs12, String password) {}

    /**
     * A listener's TLS: its certificates, protocols (null: default), client certificates (mode none, optional or
     * required, with the CAs) and the JCA provider of its TLS engine (null: the JDK's).
     */
    static ServerTls server(String what, List<Certificate> certificates, List<String> protocols, String clientAuth,
            Path clientCa, String provider) {
        if (certificates.isEmpty()) {
            throw new UsageException(what + ": no certificate (expected: cert=CHAIN.pem,key=KEY.pem or pkcs12=FILE)");
        }
        try {
            ServerTls.Builder b = ServerTls.builder();
            for (Certificate c : certificates) {
                if (c.pkcs12() != null) {
                    b.pkcs12(c.pkcs12(), (c.password() == null ? "" : c.password()).toCharArray());
                } else {
                    if (c.cert() == null || c.key() == null) {
                        throw new UsageException(what + ": a certificate needs both cert= and key= (or pkcs12=)");
                    }
                    b.certificate(c.cert(), c.key());
                }
            }
            if (protocols != null) {
                b.protocols(protocols.toArray(new String[0]));
            }
            if (provider != null) {
                b.provider(provider);
            }
            if (clientAuth != null && !clientAuth.equals("none")) {
                ServerTls.ClientAuth mode = switch (clientAuth) {
                    case "required" -> ServerTls.ClientAuth.REQUIRED;
                    case "optional" -> ServerTls.ClientAuth.OPTIONAL;
                    default -> throw new UsageException(what + " client-auth: '" + clientAuth
                            + "' (expected: none, optional or required)");
                };
                if (clientCa == null) {
                    throw new UsageException(what + " client-auth: the CA of client certificates is required (ca=CA.pem)");
                }
                b.clientAuth(mode, clientCa);
            }
            return b.build();
        } catch (java.io.UncheckedIOException e) {
            throw new UsageException(what + ": " + e.getCause().getMessage(), e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UsageException(what + ": " + e.getMessage(), e);
        }
    }

    /** {@code cert=F,key=F} or {@code pkcs12=F[,password=P]}. */
    static Certificate certificate(String what, String spec) {
        Map<String, String> o = options(what, spec, List.of("cert", "key", "pkcs12", "password"));
        return new Certificate(path(o.get("cert")), path(o.get("key")), path(o.get("pkcs12")), o.get("password"));
    }

    /** {@code required|optional,ca=CA.pem}. */
    static String[] clientAuth(String what, String spec) {
        String[] parts = spec.split(",", 2);
        Map<String, String> o = parts.length > 1 ? options(what, parts[1], List.of("ca")) : Map.of();
        return new String[] {parts[0].trim(), o.get("ca")};
    }

    /** Backend TLS: {@code on}, or {@code [ca=CA.pem][,server-name=N][,verify=false]}. */
    static ClientTls client(String what, String spec) {
        Map<String, String> o = spec.equals("on") ? Map.of() : options(what, spec, List.of("ca", "server-name", "verify"));
        return client(what, path(o.get("ca")), o.get("server-name"),
                o.containsKey("verify") ? Settings.bool(what + " verify", o.get("verify")) : true);
    }

    static ClientTls client(String what, Path ca, String serverName, boolean verify) {
        try {
            ClientTls.Builder b = ClientTls.builder().verifyHostname(verify);
            if (ca != null) {
                b.trust(ca);
            }
            if (serverName != null) {
                b.serverName(serverName);
            }
            return b.build();
        } catch (java.io.UncheckedIOException e) {
            throw new UsageException(what + ": " + e.getCause().getMessage(), e);
        }
    }

    private static Path path(String value) {
        return value == null ? null : Path.of(value);
    }

    private static Map<String, String> options(String what, String spec, List<String> allowed) {
        Map<String, String> o = new java.util.LinkedHashMap<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            String key = eq < 0 ? p : p.substring(0, eq);
            if (!allowed.contains(key)) {
                throw new UsageException(what + ": unknown option '" + key + "' (expected: " + String.join(", ", allowed) + ")");
            }
            o.put(key, eq < 0 ? "" : p.substring(eq + 1));
        }
        return o;
    }

    /** How a listener's TLS is deployed: the settings, a reload interval (null: none), the mTLS subject header. */
    record ListenerTls(ServerTls tls, Duration reloadEvery, String clientCertHeader) {}
}
