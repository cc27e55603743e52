package io.jlb.nio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * TLS to backends (re-encryption): whom to trust (the JDK's CAs, or those of a PEM file), whether to verify that the
 * certificate names the backend (on by default), and which name to send and verify when the backend is known by
 * address only. Thread-safe.
 */
public final class ClientTls {
    private final SSLContext context;
    private final boolean verifyHostname;
    private final String serverName;
    private final String[] protocols;

    private ClientTls(Builder b) throws IOException, GeneralSecurityException {
        this.verifyHostname = b.verifyHostname;
        this.serverName = b.serverName;
        this.protocols = b.protocols.toArray(new String[0]);
        this.context = SSLContext.getInstance("TLS");
        context.init(null, b.trustPem == null ? null : ServerTls.trust(b.trustPem), null);
    }

    /** A builder: the JDK's trusted CAs, hostname verification on, TLS 1.3 and 1.2. */
    public static Builder builder() {
        return new Builder();
    }

    /** A client engine for a backend at {@code host:port}. */
    public SSLEngine newEngine(String host, int port) {
        String name = serverName != null ? serverName : host;
        SSLEngine engine = context.createSSLEngine(name, port);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(protocols);
        if (verifyHostname) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!isAddress(name)) {
            p.setServerNames(List.of(new SNIHostName(name)));
        }
        engine.setSSLParameters(p);
        return engine;
    }

    private static boolean isAddress(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    /** Configures a {@link ClientTls}. */
    public static final class Builder {
        private Path trustPem;
        private boolean verifyHostname = true;
        private String serverName;
        private List<String> protocols = ServerTls.DEFAULT_PROTOCOLS;

        private Builder() {}

        /** Trusts the CAs (or self-signed certificates) of this PEM file instead of the JDK's. */
        public Builder trust(Path caPem) {
            trustPem = Objects.requireNonNull(caPem, "trust");
            return this;
        }

        /** Whether the backend's certificate must name it; true unless set. */
        public Builder verifyHostname(boolean value) {
            verifyHostname = value;
            return this;
        }

        /** The name to send (SNI) and verify, for backends given by address. */
        public Builder serverName(String value) {
            serverName = Objects.requireNonNull(value, "serverName");
            return this;
        }

        /** The protocols, {@code TLSv1.3} and {@code TLSv1.2} unless set. */
        public Builder protocols(String... values) {
            protocols = List.of(values);
            return this;
        }

        public ClientTls build() {
            try {
                return new ClientTls(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new UncheckedIOException(new IOException(e.getMessage(), e));
            }
        }
    }
}
