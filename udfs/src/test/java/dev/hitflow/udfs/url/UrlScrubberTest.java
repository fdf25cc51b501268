package dev.hitflow.udfs.url;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class UrlScrubberTest {
    @Test
    void keepsOnlyAllowlistedParametersAndDropsTheFragment() {
        ScrubbedUrl s =
                UrlScrubber.scrub(
                        "https://Shop.Example.com:8443/search?q=blue+shoes&session=abc&page=2#top",
                        Set.of("q"));
        assertThat(s.url()).isEqualTo("https://shop.example.com:8443/search?q=blue+shoes");
        assertThat(s.host()).isEqualTo("shop.example.com");
        assertThat(s.path()).isEqualTo("/search");
        assertThat(s.campaign()).isEqualTo(Campaign.NONE);
    }

    @Test
    void removesEmailPhoneAndTokenValuesWherever() {
        ScrubbedUrl s =
                UrlScrubber.scrub(
                        "https://x.example/users/jane.doe%40mail.example/orders/"
                                + "eyJhbGciOiJIUzI1NiJ9xyz123456/view;jsessionid=A1B2C3?q=jane%40mail.example&tel=%2B33%206%2012%2034%2056%2078",
                        Set.of("q", "tel"));
        assertThat(s.url()).isEqualTo("https://x.example/users/(redacted)/orders/(redacted)/view");
        assertThat(s.path()).isEqualTo("/users/(redacted)/orders/(redacted)/view");
    }

    @Test
    void liftsUtmParametersIntoTheCampaign() {
        ScrubbedUrl s =
                UrlScrubber.scrub(
                        "https://x.example/?utm_source=newsletter&utm_medium=email&utm_campaign=spring%20sale&utm_term=shoes&utm_content=a",
                        Set.of());
        assertThat(s.url()).isEqualTo("https://x.example/");
        assertThat(s.campaign())
                .isEqualTo(new Campaign("newsletter", "email", "spring sale", "shoes", "a"));
        assertThat(
                        UrlScrubber.scrub(
                                        "https://x.example/?utm_term=bob%40mail.example", Set.of())
                                .campaign())
                .isEqualTo(Campaign.NONE);
    }

    @Test
    void credentialsInTheAuthorityAreNeverKept() {
        assertThat(UrlScrubber.scrub("https://bob:secret@x.example/a", Set.of()).url())
                .isEqualTo("https://x.example/a");
    }

    @Test
    void aPathWithoutHostAndNothingAtAll() {
        assertThat(UrlScrubber.scrub("/products?id=3", Set.of("id")).url())
                .isEqualTo("/products?id=3");
        assertThat(UrlScrubber.scrub(null, Set.of()).url()).isNull();
    }

    @Test
    void referrersBecomeAClassAndAHost() {
        assertThat(ReferrerClassifier.classify(null, "shop.example", false))
                .isEqualTo(new Referrer(SourceClass.DIRECT, null));
        assertThat(
                        ReferrerClassifier.classify(
                                "https://www.google.com/search?q=bob", "shop.example", false))
                .isEqualTo(new Referrer(SourceClass.SEARCH, "www.google.com"));
        assertThat(ReferrerClassifier.classify("https://www.google.co.uk/", "shop.example", false))
                .isEqualTo(new Referrer(SourceClass.SEARCH, "www.google.co.uk"));
        assertThat(ReferrerClassifier.classify("https://t.co/abc", "shop.example", false))
                .isEqualTo(new Referrer(SourceClass.SOCIAL, "t.co"));
        assertThat(
                        ReferrerClassifier.classify(
                                "https://www.shop.example/cart", "shop.example", false))
                .isEqualTo(new Referrer(SourceClass.INTERNAL, "www.shop.example"));
        assertThat(
                        ReferrerClassifier.classify(
                                "https://news.example.org/a?token=x", "shop.example", false))
                .isEqualTo(new Referrer(SourceClass.OTHER, "news.example.org"));
        assertThat(ReferrerClassifier.classify("https://t.co/abc", "shop.example", true))
                .isEqualTo(new Referrer(SourceClass.CAMPAIGN, "t.co"));
    }

    @Test
    void sensitiveValues() {
        assertThat(SensitiveValues.isSensitive("jane@mail.example")).isTrue();
        assertThat(SensitiveValues.isSensitive("+33 6 12 34 56 78")).isTrue();
        assertThat(SensitiveValues.isSensitive("0612345678")).isTrue();
        assertThat(SensitiveValues.isSensitive("9f86d081884c7d659a2feaa0c55ad015")).isTrue();
        assertThat(SensitiveValues.isSensitive("blue shoes")).isFalse();
        assertThat(SensitiveValues.isSensitive("2026")).isFalse();
        assertThat(SensitiveValues.isSensitive("spring-collection")).isFalse();
        assertThat(SensitiveValues.isSensitive("products")).isFalse();
    }
}
