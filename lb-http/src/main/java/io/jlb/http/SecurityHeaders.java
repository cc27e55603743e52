package io.jlb.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Security headers added to responses: Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options,
 * Referrer-Policy and, when given, Content-Security-Policy. A field the backend already sent is kept unless
 * {@link #overriding()} says otherwise. Immutable; {@code with*} methods copy.
 *
 * @param hsts the Strict-Transport-Security value, or null for none
 * @param contentTypeOptions the X-Content-Type-Options value, or null
 * @param frameOptions the X-Frame-Options value, or null
 * @param referrerPolicy the Referrer-Policy value, or null
 * @param contentSecurityPolicy the Content-Security-Policy value, or null
 * @param override whether to replace what the backend sent
 */
public record SecurityHeaders(String hsts, String contentTypeOptions, String frameOptions, String referrerPolicy,
        String contentSecurityPolicy, boolean override) {

    /** Checks the values. */
    public SecurityHeaders {
        for (String v : new String[] {hsts, contentTypeOptions, frameOptions, referrerPolicy, contentSecurityPolicy}) {
            if (v != null) {
                HeaderRules.Template.parse(v.replace("{", "(").replace("}", ")")); // no control characters
            }
        }
    }

    /**
     * HSTS for a year with subdomains, {@code nosniff}, {@code DENY} framing, {@code strict-origin-when-cross-origin}
     * referrers, no CSP (a CSP must fit the site: set it with {@link #withContentSecurityPolicy}).
     */
    public static SecurityHeaders recommended() {
        return new SecurityHeaders("max-age=31536000; includeSubDomains", "nosniff", "DENY",
                "strict-origin-when-cross-origin", null, false);
    }

    /** A copy with this Content-Security-Policy (null for none). */
    public SecurityHeaders withContentSecurityPolicy(String value) {
        return new SecurityHeaders(hsts, contentTypeOptions, frameOptions, referrerPolicy, value, override);
    }

    /** A copy with this Strict-Transport-Security value (null for none). */
    public SecurityHeaders withHsts(String value) {
        return new SecurityHeaders(value, contentTypeOptions, frameOptions, referrerPolicy, contentSecurityPolicy, override);
    }

    /** A copy with this X-Frame-Options value (null for none). */
    public SecurityHeaders withFrameOptions(String value) {
        return new SecurityHeaders(hsts, contentTypeOptions, value, referrerPolicy, contentSecurityPolicy, override);
    }

    /** A copy with this Referrer-Policy value (null for none). */
    public SecurityHeaders withReferrerPolicy(String value) {
        return new SecurityHeaders(hsts, contentTypeOptions, frameOptions, value, contentSecurityPolicy, override);
    }

    /** A copy that replaces, or keeps, what the backend sent. */
    public SecurityHeaders overriding(boolean value) {
        return new SecurityHeaders(hsts, contentTypeOptions, frameOptions, referrerPolicy, contentSecurityPolicy, value);
    }

    /** The fields, in order, without the nulls. */
    List<Map.Entry<String, String>> fields() {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        if (hsts != null) {
            out.add(Map.entry("Strict-Transport-Security", hsts));
        }
        if (contentTypeOptions != null) {
            out.add(Map.entry("X-Content-Type-Options", contentTypeOptions));
        }
        if (frameOptions != null) {
            out.add(Map.entry("X-Frame-Options", frameOptions));
        }
        if (referrerPolicy != null) {
            out.add(Map.entry("Referrer-Policy", referrerPolicy));
        }
        if (contentSecurityPolicy != null) {
            out.add(Map.entry("Content-Security-Policy", contentSecurityPolicy));
        }
        return out;
    }
}
