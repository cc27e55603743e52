package io.jlb.examples;

import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.security.Security;
import java.util.Locale;

/**
 * The TLS implementation the command's listeners use: {@code jdk} (the JDK's own, the default), {@code conscrypt}
 * (Google's Conscrypt, BoringSSL underneath: its own TLS engine) or {@code accp} (Amazon Corretto Crypto Provider:
 * the JDK's TLS engine over OpenSSL's key agreement, signatures and ciphers), each from its jar: on the class path,
 * or named with {@code jar=PATH}. jlb depends on neither; the jar is the user's to download.
 */
final class TlsProviders {
    private static final String CONSCRYPT = "org.conscrypt.OpenSSLProvider";
    private static final String ACCP = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";

    private TlsProviders() {}

    /**
     * Installs the provider {@code spec} names ({@code jdk}, {@code conscrypt[,jar=PATH]}, {@code accp[,jar=PATH]});
     * returns the name to build TLS contexts with, or null for the JDK's engine.
     */
    static String install(String what, String spec) {
        return install(what, spec, Path::of);
    }

    /** As {@link #install(String, String)}, a relative jar path resolved by {@code files}. */
    static String install(String what, String spec, java.util.function.Function<String, Path> files) {
        Settings s = Settings.spec(what, spec, "name", java.util.Set.of()).withFiles(files).allow("name", "jar");
        String name = s.required("name").toLowerCase(Locale.ROOT);
        ClassLoader loader = s.has("jar") ? jar(s, s.file(s.text("jar"))) : TlsProviders.class.getClassLoader();
        return switch (name) {
            case "jdk" -> null;
            case "conscrypt" -> {
                Provider p = (Provider) instantiate(s, loader, CONSCRYPT);
                if (Security.getProvider(p.getName()) == null) {
                    Security.addProvider(p);
                }
                yield p.getName();
            }
            case "accp" -> {
                Class<?> c = load(s, loader, ACCP);
                invoke(s, c, "install");
                Provider p = Security.getProvider("AmazonCorrettoCryptoProvider");
                if (p == null) {
                    throw s.error("name", "ACCP did not install itself");
                }
                try {
                    p.getClass().getMethod("assertHealthy").invoke(p); // its native library loaded and works
                } catch (ReflectiveOperationException e) {
                    Throwable cause = e instanceof InvocationTargetException t && t.getCause() != null ? t.getCause() : e;
                    throw s.error("name", "ACCP is not usable here: " + cause.getMessage());
                }
                yield null; // the JDK's engine, over ACCP's primitives (now the first provider)
            }
            default -> throw s.error("name", "'" + name + "' (expected: jdk, conscrypt or accp)");
        };
    }

    private static ClassLoader jar(Settings s, Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw s.error("jar", jar + ": no such file");
        }
        try {
            return new URLClassLoader(new URL[] {jar.toUri().toURL()}, TlsProviders.class.getClassLoader());
        } catch (MalformedURLException e) {
            throw s.error("jar", e.getMessage());
        }
    }

    private static Class<?> load(Settings s, ClassLoader loader, String className) {
        try {
            return Class.forName(className, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw s.error("name", "its jar is not on the class path (" + className + " not found; give jar=PATH)");
        }
    }

    private static Object instantiate(Settings s, ClassLoader loader, String className) {
        try {
            return load(s, loader, className).getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            Throwable cause = e instanceof InvocationTargetException t && t.getCause() != null ? t.getCause() : e;
            throw s.error("name", "cannot start " + className + ": " + cause);
        }
    }

    private static void invoke(Settings s, Class<?> c, String method) {
        try {
            c.getMethod(method).invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            Throwable cause = e instanceof InvocationTargetException t && t.getCause() != null ? t.getCause() : e;
            throw s.error("name", "cannot install " + c.getName() + ": " + cause);
        }
    }
}
