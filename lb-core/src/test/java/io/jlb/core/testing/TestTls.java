package io.jlb.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate and key made for a test by the JDK's own {@code keytool}, in a PKCS#12 file, with
 * contexts for a server presenting it and a client trusting it.
 */
public final class TestTls {
    /** The password of every keystore made here. */
    public static final String PASSWORD = "changeit";

    private final Path keystore;
    private final KeyStore store;
    private final String alias;

    private TestTls(Path keystore, KeyStore store, String alias) {
        this.keystore = keystore;
        this.store = store;
        this.alias = alias;
    }

    /** A certificate for {@code commonName}, valid for it and {@code dnsNames}, with an EC P-256 key. */
    public static TestTls selfSigned(String commonName, String... dnsNames) throws Exception {
        return make(commonName, 2, "EC", dnsNames);
    }

    /** Like {@link #selfSigned} with another key algorithm ("RSA", "EC") and validity in days (may be negative). */
    public static TestTls make(String commonName, int validityDays, String keyAlgorithm, String... dnsNames)
            throws Exception {
        Path dir = Files.createTempDirectory("jlb-tls");
        Path file = dir.resolve("keystore.p12");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "test", "-keyalg", keyAlgorithm, "-dname", "CN=" + commonName,
                "-keystore", file.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD));
        if (keyAlgorithm.equals("EC")) {
            cmd.addAll(List.of("-groupname", "secp256r1"));
        } else {
            cmd.addAll(List.of("-keysize", "2048"));
        }
        if (validityDays > 0) {
            cmd.addAll(List.of("-validity", Integer.toString(validityDays)));
        } else {
            // An expired certificate: valid for one day, starting |validityDays| + 1 days ago.
            cmd.addAll(List.of("-validity", "1", "-startdate", "-" + (1 - validityDays) + "d"));
        }
        StringBuilder san = new StringBuilder("SAN=dns:" + commonName);
        for (String d : dnsNames) {
            san.append(",dns:").append(d);
        }
        san.append(",ip:127.0.0.1");
        cmd.addAll(List.of("-ext", san.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return new TestTls(file, ks, "test");
    }

    /**
     * A certificate for {@code commonName} issued by {@code ca} (rather than self-signed), valid for
     * {@code validityDays} (negative: expired that many days ago); the keystore holds the chain, leaf then CA.
     */
    public static TestTls signedBy(TestTls ca, String commonName, int validityDays, String keyAlgorithm) throws Exception {
        TestTls leaf = make(commonName, 2, keyAlgorithm);
        Path dir = leaf.keystore.getParent();
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path csr = dir.resolve("leaf.csr");
        Path cer = dir.resolve("leaf.cer");
        Path caCer = dir.resolve("ca.cer");
        run(keytool, "-certreq", "-alias", "test", "-keystore", leaf.keystore.toString(), "-storepass", PASSWORD,
                "-file", csr.toString());
        List<String> gencert = new ArrayList<>(List.of(keytool, "-gencert", "-alias", "test", "-keystore",
                ca.keystore.toString(), "-storepass", PASSWORD, "-infile", csr.toString(), "-outfile", cer.toString(),
                "-ext", "SAN=dns:" + commonName + ",ip:127.0.0.1"));
        if (validityDays > 0) {
            gencert.addAll(List.of("-validity", Integer.toString(validityDays)));
        } else {
            gencert.addAll(List.of("-validity", "1", "-startdate", "-" + (1 - validityDays) + "d"));
        }
        run(gencert.toArray(new String[0]));
        run(keytool, "-exportcert", "-alias", "test", "-keystore", ca.keystore.toString(), "-storepass", PASSWORD,
                "-file", caCer.toString());
        run(keytool, "-importcert", "-noprompt", "-alias", "ca", "-keystore", leaf.keystore.toString(), "-storepass",
                PASSWORD, "-file", caCer.toString());
        run(keytool, "-importcert", "-noprompt", "-alias", "test", "-keystore", leaf.keystore.toString(), "-storepass",
                PASSWORD, "-file", cer.toString());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(leaf.keystore)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return new TestTls(leaf.keystore, ks, "test");
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + ": " + output);
        }
    }

    /** The PKCS#12 file. */
    public Path keystoreFile() {
        return keystore;
    }

    /** The loaded keystore. */
    public KeyStore keyStore() {
        return store;
    }

    /** The certificate. */
    public X509Certificate certificate() throws Exception {
        return (X509Certificate) store.getCertificate(alias);
    }

    /** Writes the certificate as PEM to {@code file}; returns it. */
    public Path writeCertificatePem(Path file) throws Exception {
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate().getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        return Files.writeString(file, pem);
    }

    /** Writes the private key as PKCS#8 PEM to {@code file}; returns it. */
    public Path writePrivateKeyPem(Path file) throws Exception {
        java.security.Key key = store.getKey(alias, PASSWORD.toCharArray());
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        return Files.writeString(file, pem);
    }

    /** A server context presenting this certificate. */
    public SSLContext serverContext() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, PASSWORD.toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    /** A client context trusting exactly this certificate (and those given too). */
    public SSLContext clientContext(TestTls... alsoTrusted) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("self", certificate());
        for (int i = 0; i < alsoTrusted.length; i++) {
            trust.setCertificateEntry("other" + i, alsoTrusted[i].certificate());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
