package io.jlb.nio;

import io.jlb.nio.internal.Pem;
import io.jlb.nio.internal.SniKeyManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for a listener: its certificates (PEM chains with PKCS#8 keys, or PKCS#12 keystores), chosen per handshake
 * by the name the client asks for (SNI) with the first as the default; TLS 1.3 and 1.2 with AEAD ciphers only
 * unless told otherwise; ALPN; optional client certificates (mTLS). {@link #reload()} re-reads every file and
 * swaps the certificates for new handshakes without a restart; {@link #watch(Duration)} does it when a file
 * changes. Thread-safe.
 *
 * <pre>{@code
 * ServerTls tls = ServerTls.builder()
 *         .certificate(Path.of("example.com.pem"), Path.of("example.com.key"))
 *         .certificate(Path.of("api.example.com.pem"), Path.of("api.example.com.key"))
 *         .build().watch(Duration.ofSeconds(30));
 * }</pre>
 */
public final class ServerTls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
    /** Protocols offered unless set. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** Cipher suites offered unless set: TLS 1.3's, then ECDHE with AES-GCM or ChaCha20-Poly1305. */
    public static final List<String> DEFAULT_CIPHERS = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** Whether clients must, may or need not present a certificate. */
    public enum ClientAuth {
        /** No client certificates asked for. */
        NONE,
        /** Asked for; a client without one still connects. */
        OPTIONAL,
        /** Required: a client without a valid one is refused. */
        REQUIRED
    }

    /** A certificate source: PEM chain and key files, or a PKCS#12 file and its password. */
    private record Source(Path certificate, Path key, Path pkcs12, char[] password) {}

    private final List<Source> sources;
    private final String[] protocols;
    private final String[] ciphers;
    private final String[] alpn;
    private final ClientAuth clientAuth;
    private final Path clientCa;
    private final SniKeyManager keys;
    private final SSLContext context;
    private volatile long lastModified;
    private ScheduledExecutorService watcher;

    private ServerTls(Builder b) throws IOException, GeneralSecurityException {
        this.sources = List.copyOf(b.sources);
        this.protocols = b.protocols.toArray(new String[0]);
        this.clientAuth = b.clientAuth;
        this.clientCa = b.clientCa;
        this.alpn = b.alpn.toArray(new String[0]);
        this.keys = new SniKeyManager(load());
        this.context = b.provider == null ? SSLContext.getInstance("TLS") : SSLContext.getInstance("TLS", b.provider);
        context.init(new KeyManager[] {keys}, clientCa == null ? null : trust(clientCa), null);
        List<String> supported = Arrays.asList(context.getSupportedSSLParameters().getCipherSuites());
        List<String> wanted = b.ciphers != null ? b.ciphers : DEFAULT_CIPHERS;
        for (String c : wanted) {
            if (b.ciphers != null && !supported.contains(c)) {
                throw new IllegalArgumentException("cipher suite " + c + " is not supported by this JDK");
            }
        }
        this.ciphers = wanted.stream().filter(supported::contains).toArray(String[]::new);
        List<String> protocolsSupported = Arrays.asList(context.getSupportedSSLParameters().getProtocols());
        for (String p : protocols) {
            if (!protocolsSupported.contains(p)) {
                throw new IllegalArgumentException("protocol " + p + " is not supported by this JDK");
            }
        }
        this.lastModified = newestModification();
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** A server-side engine for one accepted connection, set up as configured; its handshake not begun. */
    public SSLEngine newEngine(String[] applicationProtocols) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(protocols);
        p.setCipherSuites(ciphers);
        p.setUseCipherSuitesOrder(true);
        String[] offered = alpn.length > 0 ? alpn : applicationProtocols;
        if (offered != null && offered.length > 0) {
            p.setApplicationProtocols(offered);
        }
        switch (clientAuth) {
            case REQUIRED -> p.setNeedClientAuth(true);
            case OPTIONAL -> p.setWantClientAuth(true);
            default -> { }
        }
        engine.setSSLParameters(p);
        return engine;
    }

    /** Whether client certificates are asked for. */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** The names each certificate serves, in order (the first is the default). */
    public List<List<String>> certificateNames() {
        return keys.entries().stream().map(SniKeyManager.Entry::names).toList();
    }

    /**
     * Reads every certificate and key file again and serves the new ones to new handshakes.
     *
     * @throws UncheckedIOException naming the file, when one cannot be read; the old certificates stay
     */
    public synchronized void reload() {
        try {
            keys.replace(load());
            lastModified = newestModification();
            LOG.info("TLS certificates reloaded: {}", certificateNames());
        } catch (IOException | GeneralSecurityException e) {
            throw new UncheckedIOException(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
        }
    }

    /**
     * Checks the files every {@code interval} and reloads when one changed; a reload that fails is logged and the
     * old certificates kept. Returns this.
     */
    public synchronized ServerTls watch(Duration interval) {
        if (watcher != null) {
            throw new IllegalStateException("already watching");
        }
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jlb-tls-watch");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(100, interval.toMillis());
        watcher.scheduleWithFixedDelay(() -> {
            try {
                if (newestModification() != lastModified) {
                    reload();
                }
            } catch (RuntimeException | IOException e) {
                LOG.warn("TLS certificates not reloaded, the old ones stay: {}", e.getMessage());
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Stops watching the files. */
    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
            watcher = null;
        }
    }

    private long newestModification() throws IOException {
        long newest = 0;
        for (Source s : sources) {
            for (Path p : new Path[] {s.certificate, s.key, s.pkcs12}) {
                if (p != null) {
                    newest = Math.max(newest, Files.getLastModifiedTime(p).toMillis() ^ Files.size(p));
                }
            }
        }
        return newest;
    }

    private List<SniKeyManager.Entry> load() throws IOException, GeneralSecurityException {
        List<SniKeyManager.Entry> entries = new ArrayList<>();
        int n = 0;
        for (Source s : sources) {
            if (s.pkcs12 != null) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(s.pkcs12)) {
                    ks.load(in, s.password);
                } catch (IOException e) {
                    throw new IOException(s.pkcs12 + ": cannot open the keystore: " + e.getMessage(), e);
                }
                for (Enumeration<String> aliases = ks.aliases(); aliases.hasMoreElements();) {
                    String alias = aliases.nextElement();
                    if (ks.isKeyEntry(alias)) {
                        java.security.cert.Certificate[] chain = ks.getCertificateChain(alias);
                        X509Certificate[] x = Arrays.copyOf(chain, chain.length, X509Certificate[].class);
                        entries.add(entry("c" + n++, x, (PrivateKey) ks.getKey(alias, s.password), s.pkcs12));
                    }
                }
            } else {
                List<X509Certificate> chain = Pem.certificates(s.certificate);
                PrivateKey key = Pem.privateKey(s.key);
                if (!Pem.matches(key, chain.get(0))) {
                    throw new IOException(s.key + ": this key does not belong to the certificate in " + s.certificate);
                }
                entries.add(entry("c" + n++, chain.toArray(new X509Certificate[0]), key, s.certificate));
            }
        }
        if (entries.isEmpty()) {
            throw new IOException("no certificate with a key found");
        }
        return entries;
    }

    private static SniKeyManager.Entry entry(String alias, X509Certificate[] chain, PrivateKey key, Path from) {
        X509Certificate leaf = chain[0];
        if (leaf.getNotAfter().before(new Date())) {
            LOG.warn("{}: the certificate for {} expired on {}", from, SniKeyManager.names(leaf), leaf.getNotAfter());
        }
        return new SniKeyManager.Entry(alias, chain, key, SniKeyManager.names(leaf));
    }

    static javax.net.ssl.TrustManager[] trust(Path caPem) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        int i = 0;
        for (X509Certificate c : Pem.certificates(caPem)) {
            ks.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf.getTrustManagers();
    }

    /** Configures a {@link ServerTls}. */
    public static final class Builder {
        private final List<Source> sources = new ArrayList<>();
        private List<String> protocols = DEFAULT_PROTOCOLS;
        private List<String> ciphers;
        private List<String> alpn = List.of();
        private ClientAuth clientAuth = ClientAuth.NONE;
        private Path clientCa;
        private String provider;

        private Builder() {}

        /**
         * The JCA provider of the TLS implementation, by name ({@code Conscrypt}, for one), which the application has
         * registered ({@link java.security.Security#addProvider}); the JDK's unless set. Handshakes cost what the
         * provider's key agreement and signatures cost: on JDK 17, an OpenSSL-backed provider does several times as
         * many as the JDK's own.
         */
        public Builder provider(String name) {
            Objects.requireNonNull(name, "provider");
            if (java.security.Security.getProvider(name) == null) {
                throw new IllegalArgumentException("provider: '" + name + "' is not registered (expected: the name of "
                        + "a provider added with java.security.Security.addProvider, such as Conscrypt)");
            }
            provider = name;
            return this;
        }

        /** A certificate chain (leaf first) and its PKCS#8 private key, both PEM; serves the names the leaf names. */
        public Builder certificate(Path chainPem, Path keyPem) {
            sources.add(new Source(Objects.requireNonNull(chainPem, "certificate"), Objects.requireNonNull(keyPem, "key"),
                    null, null));
            return this;
        }

        /** Every key entry of a PKCS#12 keystore. */
        public Builder pkcs12(Path file, char[] password) {
            sources.add(new Source(null, null, Objects.requireNonNull(file, "pkcs12"), password.clone()));
            return this;
        }

        /** The protocols, {@code TLSv1.3} and {@code TLSv1.2} unless set. */
        public Builder protocols(String... values) {
            if (values.length == 0) {
                throw new IllegalArgumentException("protocols: none given");
            }
            for (String p : values) {
                if (!p.equals("TLSv1.3") && !p.equals("TLSv1.2")) {
                    throw new IllegalArgumentException("protocol " + p + " (expected: TLSv1.3 or TLSv1.2; older ones are unsafe)");
                }
            }
            protocols = List.of(values);
            return this;
        }

        /** The cipher suites, in order of preference. */
        public Builder cipherSuites(String... values) {
            if (values.length == 0) {
                throw new IllegalArgumentException("cipherSuites: none given");
            }
            ciphers = List.of(values);
            return this;
        }

        /** The ALPN protocols offered (an HTTP listener offers {@code http/1.1} unless set). */
        public Builder alpn(String... values) {
            alpn = List.of(values);
            return this;
        }

        /** Asks clients for certificates issued by the CAs of {@code caPem}. */
        public Builder clientAuth(ClientAuth mode, Path caPem) {
            clientAuth = Objects.requireNonNull(mode, "clientAuth");
            clientCa = mode == ClientAuth.NONE ? null : Objects.requireNonNull(caPem, "client CA");
            return this;
        }

        /**
         * Loads every file and checks every key against its certificate.
         *
         * @throws UncheckedIOException naming the file that cannot be used
         */
        public ServerTls build() {
            if (sources.isEmpty()) {
                throw new IllegalStateException("TLS: no certificate given (expected: certificate(..) or pkcs12(..))");
            }
            try {
                return new ServerTls(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new UncheckedIOException(new IOException(e.getMessage(), e));
            }
        }
    }
}
