package dev.hitflow.udfs.url;

import java.util.List;

/**
 * Turns a referrer URL into a source class and its host; the rest of the referrer (path, query:
 * search terms, tokens) is never kept. A campaign on the page URL wins over the referrer.
 */
public final class ReferrerClassifier {
    static final List<String> SEARCH =
            List.of(
                    "google.",
                    "bing.com",
                    "duckduckgo.com",
                    "search.yahoo.",
                    "yahoo.com",
                    "baidu.com",
                    "yandex.",
                    "ecosia.org",
                    "qwant.com",
                    "startpage.com",
                    "search.brave.com",
                    "naver.com");
    static final List<String> SOCIAL =
            List.of(
                    "facebook.com",
                    "fb.com",
                    "t.co",
                    "twitter.com",
                    "x.com",
                    "linkedin.com",
                    "lnkd.in",
                    "instagram.com",
                    "reddit.com",
                    "pinterest.",
                    "youtube.com",
                    "tiktok.com",
                    "mastodon.social",
                    "bsky.app",
                    "threads.net",
                    "whatsapp.com");

    private ReferrerClassifier() {}

    public static Referrer classify(String referrer, String pageHost, boolean campaign) {
        String host = UrlScrubber.host(referrer);
        if (campaign) {
            return new Referrer(SourceClass.CAMPAIGN, host);
        }
        if (host == null) {
            return new Referrer(SourceClass.DIRECT, null);
        }
        if (pageHost != null && sameSite(host, pageHost)) {
            return new Referrer(SourceClass.INTERNAL, host);
        }
        if (matches(host, SEARCH)) {
            return new Referrer(SourceClass.SEARCH, host);
        }
        if (matches(host, SOCIAL)) {
            return new Referrer(SourceClass.SOCIAL, host);
        }
        return new Referrer(SourceClass.OTHER, host);
    }

    private static boolean sameSite(String a, String b) {
        String x = a.startsWith("www.") ? a.substring(4) : a;
        String y = b.startsWith("www.") ? b.substring(4) : b;
        return x.equals(y) || x.endsWith("." + y) || y.endsWith("." + x);
    }

    private static boolean matches(String host, List<String> patterns) {
        String h = host.startsWith("www.") ? host.substring(4) : host;
        for (String p : patterns) {
            if (p.endsWith(".")) {
                if (h.startsWith(p) || h.contains("." + p)) {
                    return true;
                }
            } else if (h.equals(p) || h.endsWith("." + p)) {
                return true;
            }
        }
        return false;
    }
}
