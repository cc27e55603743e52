package io.jlb.http;

import io.jlb.core.Member;
import io.jlb.http.internal.HeadWriter;
import io.jlb.http.internal.HttpHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The policies of the exchange in progress on one connection, and the header changes they make to the request head
 * sent to the backend and the response head sent to the client. One per connection, reset per exchange; used on
 * its loop only. Allocates only for what a policy needs (a made-up request id, a template's value).
 */
final class ExchangePolicy implements HeadWriter.Extra {
    private static final byte[] COLON_SPACE = {':', ' '};
    private static final byte[] CRLF = {'\r', '\n'};
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    RoutePolicy policy = RoutePolicy.NONE;
    /** The request id of this exchange, or null without the policy. */
    String requestId;
    /** Whether the request id arrived with the request (and is forwarded as it is). */
    private boolean requestIdArrived;
    private Authentication.Result auth;
    /** The sticky token the request carried, or null. */
    String stickyToken;
    /** The backend that answered, for {backend} and the sticky cookie. */
    Member backend;
    /** Whether the response body is compressed on its way. */
    boolean compress;
    /** Whether the client takes gzip. */
    boolean acceptsGzip;
    /** A strong ETag of a compressed response, sent on as weak; null otherwise. */
    private String weakenedEtag;
    private String clientIp;
    private String scheme;
    private String certHeader;
    private String certSubject;
    private String host;
    private String path;
    private String method;
    private HttpHead response;
    private final StringBuilder value = new StringBuilder(64);
    private final HeaderRules.Variables variables = this::variable;
    /** Lower-case names of the fields the listener asserts (identity, certificate subject): never the client's. */
    private final byte[][] asserted;
    /** Lower-case names of the listener's request-id fields: kept only from a trusted peer (or when trusted). */
    private final byte[][] requestIdNames;
    private boolean trustedPeer;

    ExchangePolicy(byte[][] asserted, byte[][] requestIdNames) {
        this.asserted = asserted;
        this.requestIdNames = requestIdNames;
    }

    /**
     * Drops the fields the listener asserts itself, whoever sent them; a request id the proxy replaces; what request
     * rules remove or replace; what authentication strips or forwards.
     */
    final HeadWriter.Drop requestDrop = this::dropsRequestField;

    private boolean dropsRequestField(HttpHead h, int i) {
        RoutePolicy p = policy;
        if (named(h, i, asserted)) {
            return true; // only the proxy says who the client is
        }
        if (p.requestIdName != null ? !requestIdArrived && h.nameIs(i, p.requestIdName)
                : !trustedPeer && named(h, i, requestIdNames)) {
            return true;
        }
        if (named(h, i, p.requestDrops)) {
            return true;
        }
        if (auth != null && (!auth.remove().isEmpty() || !auth.forward().isEmpty())) {
            String name = h.name(i);
            for (String r : auth.remove()) {
                if (r.equalsIgnoreCase(name)) {
                    return true;
                }
            }
            for (Map.Entry<String, String> f : auth.forward()) {
                if (f.getKey().equalsIgnoreCase(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Drops what response rules remove or replace, the backend's request id, security fields replaced. */
    final HeadWriter.Drop responseDrop = (h, i) -> {
        RoutePolicy p = policy;
        if (p.requestIdName != null && h.nameIs(i, p.requestIdName)) {
            return true;
        }
        if (named(h, i, p.responseDrops)) {
            return true;
        }
        if (compress && (h.nameIs(i, CONTENT_LENGTH) || h.nameIs(i, VARY) || weakenedEtag != null && h.nameIs(i, ETAG))) {
            return true;
        }
        return p.policies.securityHeaders != null && p.policies.securityHeaders.override() && named(h, i, p.securityNames);
    };

    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VARY = "vary".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ETAG = "etag".getBytes(StandardCharsets.US_ASCII);

    /** The response head's extra fields. */
    final HeadWriter.Extra responseExtra = this::writeResponseFields;

    /** Sets the client certificate header of the connection (mTLS): its name, and the verified subject or null. */
    void clientCertificate(String header, String subject) {
        certHeader = header;
        certSubject = subject;
    }

    /** Starts an exchange under {@code p}, for a client whose peer is a trusted proxy or not. */
    void begin(RoutePolicy p, String clientIp, String scheme, boolean trustedPeer) {
        this.trustedPeer = trustedPeer;
        policy = p;
        requestId = null;
        requestIdArrived = false;
        auth = null;
        stickyToken = null;
        backend = null;
        compress = false;
        acceptsGzip = false;
        weakenedEtag = null;
        response = null;
        host = null;
        path = null;
        method = null;
        this.clientIp = clientIp;
        this.scheme = scheme;
    }

    /** Settles the request id and keeps what response templates need; {@code view} is the request. */
    void request(RequestView view) {
        RoutePolicy p = policy;
        if (p.requestIdName != null) {
            String arrived = view.header(p.policies.requestIdHeader);
            requestIdArrived = (trustedPeer || Boolean.TRUE.equals(p.policies.trustRequestId)) && validRequestId(arrived);
            requestId = requestIdArrived ? arrived : newRequestId();
        }
        if (p.responseUsesRequest || p.policies.requestHeaders != null) {
            host = view.host();
            path = view.path();
            method = view.method();
        }
        if (p.policies.sticky != null) {
            stickyToken = view.cookie(p.policies.sticky.name());
        }
        if (p.policies.compression != null) {
            acceptsGzip = acceptsGzip(view.header("accept-encoding"));
        }
    }

    /** Whether an Accept-Encoding value takes gzip (by name or by {@code *}, with a q above 0). */
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        Boolean gzip = null;
        boolean star = false;
        for (String part : acceptEncoding.split(",")) {
            String[] f = part.trim().split(";");
            String coding = f[0].trim().toLowerCase(java.util.Locale.ROOT);
            double q = 1;
            for (int i = 1; i < f.length; i++) {
                String p = f[i].trim();
                if (p.startsWith("q=") || p.startsWith("Q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                gzip = q > 0;
            } else if (coding.equals("*")) {
                star = q > 0;
            }
        }
        return gzip != null ? gzip : star;
    }

    /** Decides on compressing this response; true when it will be. */
    boolean compressResponse(HttpHead h, Compression c) {
        if (!acceptsGzip || h.status() != 200) {
            return false;
        }
        String encoding = h.header("content-encoding");
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            return false;
        }
        String cacheControl = h.header("cache-control");
        if (cacheControl != null && cacheControl.toLowerCase(java.util.Locale.ROOT).contains("no-transform")) {
            return false;
        }
        if (!c.compressible(h.header("content-type"))) {
            return false;
        }
        long length = h.contentLength();
        if (length >= 0 && length < c.minBytes()) {
            return false;
        }
        String etag = h.header("etag");
        weakenedEtag = etag != null && !etag.startsWith("W/") ? "W/" + etag : null;
        compress = true;
        return true;
    }

    void authenticated(Authentication.Result result) {
        auth = result;
    }

    /** The request head's extra fields: a made-up request id, the rules' fields, what authentication forwards. */
    @Override
    public void write(ByteBuffer out) {
        RoutePolicy p = policy;
        if (certSubject != null) {
            field(out, certHeader, certSubject);
        }
        if (p.requestIdName != null && !requestIdArrived) {
            field(out, p.policies.requestIdHeader, requestId);
        }
        HeaderRules rules = p.policies.requestHeaders;
        if (rules != null) {
            for (HeaderRules.Field f : rules.added()) {
                field(out, f.name(), f.value());
            }
        }
        if (auth != null) {
            for (Map.Entry<String, String> f : auth.forward()) {
                field(out, f.getKey(), f.getValue());
            }
        }
    }

    /** Remembers the response head before its fields are written (to see what the backend set). */
    void response(HttpHead h) {
        response = h;
    }

    private void writeResponseFields(ByteBuffer out) {
        RoutePolicy p = policy;
        if (p.requestIdName != null && requestId != null) {
            field(out, p.policies.requestIdHeader, requestId);
        }
        HeaderRules rules = p.policies.responseHeaders;
        if (rules != null) {
            for (HeaderRules.Field f : rules.added()) {
                field(out, f.name(), f.value());
            }
        }
        SecurityHeaders security = p.policies.securityHeaders;
        if (security != null) {
            List<Map.Entry<String, String>> fields = p.securityFields;
            for (int i = 0; i < fields.size(); i++) {
                if (i == 0 && security.hsts() != null && !"https".equals(scheme)) {
                    continue; // browsers ignore HSTS over plain HTTP (RFC 6797 8.1)
                }
                if (security.override() || response == null || response.indexOf(p.securityNames[i]) < 0) {
                    field(out, fields.get(i).getKey(), fields.get(i).getValue());
                }
            }
        }
        StickyCookie sticky = p.policies.sticky;
        if (sticky != null && backend != null) {
            String token = p.token(backend);
            if (!token.equals(stickyToken)) {
                value.setLength(0);
                value.append(sticky.name()).append('=').append(token).append("; Path=").append(sticky.path());
                if (sticky.maxAge() != null) {
                    value.append("; Max-Age=").append(sticky.maxAge().toSeconds());
                }
                if (sticky.httpOnly()) {
                    value.append("; HttpOnly");
                }
                if (sticky.secure() || "https".equals(scheme)) {
                    value.append("; Secure");
                }
                if (sticky.sameSite() != null) {
                    value.append("; SameSite=").append(sticky.sameSite());
                }
                put(out, "Set-Cookie");
                out.put(COLON_SPACE);
                putValue(out, value);
                out.put(CRLF);
            }
        }
        if (compress) {
            put(out, "Content-Encoding: gzip\r\nVary: Accept-Encoding");
            if (response != null) {
                for (int i = 0; i < response.headerCount(); i++) {
                    if (response.nameIs(i, VARY) && !response.value(i).isEmpty()) {
                        put(out, ", ");
                        put(out, response.value(i));
                    }
                }
            }
            out.put(CRLF);
            if (weakenedEtag != null) {
                field(out, "ETag", weakenedEtag); // a compressed body is not byte-for-byte what the tag named
            }
        }
    }

    /** Whether an answer the proxy makes itself leaves out its field {@code name}: a response rule replaces it. */
    boolean dropsLocal(String name) {
        HeaderRules rules = policy.policies.responseHeaders;
        return rules != null && rules.removed().contains(name.toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * The fields response policies give an answer the proxy makes itself (a refusal, a 404, a handler's reply), as
     * {@code Name: value} lines: the response rules' fields and the security headers, these not over a field the
     * answer has ({@code has}, by lower-case name) unless the preset overrides.
     */
    List<String> localFields(java.util.function.Predicate<String> has) {
        RoutePolicy p = policy;
        HeaderRules rules = p.policies.responseHeaders;
        SecurityHeaders security = p.policies.securityHeaders;
        if (rules == null && security == null) {
            return List.of();
        }
        List<String> lines = new java.util.ArrayList<>();
        if (rules != null) {
            for (HeaderRules.Field f : rules.added()) {
                value.setLength(0);
                f.value().appendTo(value, variables);
                lines.add(f.name() + ": " + printable(value));
            }
        }
        if (security != null) {
            List<Map.Entry<String, String>> fields = p.securityFields;
            for (int i = 0; i < fields.size(); i++) {
                if (i == 0 && security.hsts() != null && !"https".equals(scheme)) {
                    continue;
                }
                String name = fields.get(i).getKey();
                if (security.override() || !has.test(name.toLowerCase(java.util.Locale.ROOT))) {
                    lines.add(name + ": " + fields.get(i).getValue());
                }
            }
        }
        return lines;
    }

    /** A field value with control characters made spaces, as {@link #putValue} writes it. */
    private static String printable(CharSequence v) {
        StringBuilder b = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            b.append(c < 0x20 && c != '\t' || c == 0x7f ? ' ' : c);
        }
        return b.toString();
    }

    private void field(ByteBuffer out, String name, HeaderRules.Template template) {
        value.setLength(0);
        template.appendTo(value, variables);
        put(out, name);
        out.put(COLON_SPACE);
        putValue(out, value);
        out.put(CRLF);
    }

    private void field(ByteBuffer out, String name, String v) {
        put(out, name);
        out.put(COLON_SPACE);
        value.setLength(0);
        value.append(v);
        putValue(out, value);
        out.put(CRLF);
    }

    private String variable(String name) {
        return switch (name) {
            case "client_ip" -> clientIp;
            case "host" -> host;
            case "path" -> path;
            case "method" -> method;
            case "scheme" -> scheme;
            case "request_id" -> requestId;
            case "backend" -> backend == null ? null : backend.backend().name();
            default -> null;
        };
    }

    private static boolean named(HttpHead h, int i, byte[][] names) {
        for (byte[] n : names) {
            if (h.nameIs(i, n)) {
                return true;
            }
        }
        return false;
    }

    private static void put(ByteBuffer out, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            out.put((byte) ascii.charAt(i));
        }
    }

    /** A field value: ASCII as is, other characters as UTF-8, control characters as spaces. */
    private static void putValue(ByteBuffer out, CharSequence v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x80) {
                out.put(c < 0x20 && c != '\t' || c == 0x7f ? (byte) ' ' : (byte) c);
            } else {
                out.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    static boolean validRequestId(String id) {
        if (id == null || id.isEmpty() || id.length() > 128) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-_.:+/=".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** 128 random bits as 32 hex digits. */
    static String newRequestId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] c = new char[32];
        long a = r.nextLong();
        long b = r.nextLong();
        for (int i = 0; i < 16; i++) {
            c[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
            c[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
        }
        return new String(c);
    }
}
