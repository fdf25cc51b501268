package dev.hitflow.udfs.url;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Scrubs page URLs: keeps only the tenant's allowlisted query parameters, drops the fragment,
 * replaces path segments and drops parameters whose value looks like an e-mail address, phone
 * number or token, and lifts utm_* parameters into a {@link Campaign}. A lenient parser: real
 * collector URLs are often not valid RFC 3986.
 */
public final class UrlScrubber {
    /** Replaces a path segment that looked like personal data. */
    public static final String REDACTED = "(redacted)";

    private UrlScrubber() {}

    public static ScrubbedUrl scrub(String url, Set<String> keptParams) {
        if (url == null || url.isBlank()) {
            return new ScrubbedUrl(null, null, null, Campaign.NONE);
        }
        String rest = url.strip();
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            rest = rest.substring(0, hash);
        }
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String prefix = "";
        String host = null;
        int scheme = rest.indexOf("://");
        String path = rest;
        if (scheme > 0) {
            int slash = rest.indexOf('/', scheme + 3);
            String authority =
                    slash < 0 ? rest.substring(scheme + 3) : rest.substring(scheme + 3, slash);
            int at = authority.lastIndexOf('@');
            if (at >= 0) {
                authority = authority.substring(at + 1); // user:password@ never kept
            }
            host = hostOf(authority);
            prefix =
                    rest.substring(0, scheme + 3).toLowerCase(Locale.ROOT)
                            + authority.toLowerCase(Locale.ROOT);
            path = slash < 0 ? "/" : rest.substring(slash);
        }
        path = scrubPath(path);

        String source = null;
        String medium = null;
        String name = null;
        String term = null;
        String content = null;
        StringBuilder kept = new StringBuilder();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                String rawValue = eq < 0 ? "" : pair.substring(eq + 1);
                String value = decode(rawValue);
                boolean sensitive = SensitiveValues.isSensitive(value);
                switch (key) {
                    case "utm_source" -> source = sensitive ? null : value;
                    case "utm_medium" -> medium = sensitive ? null : value;
                    case "utm_campaign" -> name = sensitive ? null : value;
                    case "utm_term" -> term = sensitive ? null : value;
                    case "utm_content" -> content = sensitive ? null : value;
                    default -> {
                        if (keptParams.contains(key) && !sensitive) {
                            kept.append(kept.length() == 0 ? '?' : '&').append(pair);
                        }
                    }
                }
            }
        }
        return new ScrubbedUrl(
                prefix + path + kept,
                host,
                path,
                new Campaign(
                        emptyToNull(source),
                        emptyToNull(medium),
                        emptyToNull(name),
                        emptyToNull(term),
                        emptyToNull(content)));
    }

    /** The host of a URL (lower case, no port, no credentials), or null. */
    public static String host(String url) {
        if (url == null) {
            return null;
        }
        int scheme = url.indexOf("://");
        if (scheme <= 0) {
            return null;
        }
        int end = url.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = url.indexOf(c, scheme + 3);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        String authority = url.substring(scheme + 3, end);
        int at = authority.lastIndexOf('@');
        return hostOf(at >= 0 ? authority.substring(at + 1) : authority);
    }

    private static String hostOf(String authority) {
        String host = authority;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            host = close > 0 ? host.substring(0, close + 1) : host;
        } else {
            int colon = host.indexOf(':');
            if (colon >= 0) {
                host = host.substring(0, colon);
            }
        }
        host = host.toLowerCase(Locale.ROOT);
        return host.isEmpty() ? null : host;
    }

    private static String scrubPath(String path) {
        if (path.isEmpty()) {
            return "/";
        }
        String[] segments = path.split("/", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                out.append('/');
            }
            String segment = segments[i];
            String semicolonFree = segment;
            int semicolon = segment.indexOf(';');
            if (semicolon >= 0) {
                semicolonFree = segment.substring(0, semicolon); // ;jsessionid=... and the like
            }
            out.append(
                    SensitiveValues.isSensitive(decode(semicolonFree)) ? REDACTED : semicolonFree);
        }
        return out.toString();
    }

    private static String decode(String s) {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
            return s; // nothing to decode: the common case
        }
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a stray '%': keep the text as it is
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
