package dev.hitflow.udfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.Event;
import dev.hitflow.schemas.avro.Gps;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.IdKind;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantConfig;
import dev.hitflow.schemas.config.TenantConfigLoader;
import dev.hitflow.schemas.config.TenantConfigUpdates;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.udfs.agent.UserAgentClassifier;
import dev.hitflow.udfs.geo.GeoLocator;
import dev.hitflow.udfs.geo.MaxMindTestDatabases;
import dev.hitflow.udfs.identity.VisitorIdHasher;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The whole gate on hand-made raw hits, with the real GeoIP test database and YAUAA. */
class HitEnricherTest {
    static final byte[] KEY =
            "acme-test-key-0123456789abcdef!!".getBytes(StandardCharsets.US_ASCII);
    static final byte[] DE_KEY =
            "initech-key-0123456789abcdef!!!!".getBytes(StandardCharsets.US_ASCII);
    static final String CHROME =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                    + " Chrome/124.0.0.0 Safari/537.36";
    // 2026-03-10 23:30 in Paris
    static final long LATE_EVENING = Instant.parse("2026-03-10T22:30:00Z").toEpochMilli();

    static GeoLocator geo;
    static HitEnricher enricher;
    static TenantConfig acme;
    static TenantConfig initech;

    @BeforeAll
    static void build() {
        geo = GeoLocator.open(MaxMindTestDatabases.cityTestDatabase().orElseThrow());
        TenantRegistry tenants =
                TenantConfigLoader.parse(
                        """
                        tenants:
                          - id: acme
                            country: FR
                            time_zone: Europe/Paris
                            sites: [shop]
                            identified_visitors: true
                            default_consent: OPT_IN
                            url_params_kept: [q]
                            form_keys_kept: [newsletter]
                            property_keys_kept: [plan]
                          - id: initech
                            country: DE
                            time_zone: Europe/Berlin
                            sites: [portal]
                            default_consent: EXEMPT
                        """,
                        "test",
                        null,
                        null);
        acme = tenants.tenant("acme").orElseThrow();
        initech = tenants.tenant("initech").orElseThrow();
        enricher =
                new HitEnricher(
                        KeyRing.of(
                                Map.of("acme", Map.of("v1", KEY), "initech", Map.of("v1", DE_KEY))),
                        geo,
                        new UserAgentClassifier(100));
    }

    @AfterAll
    static void close() {
        geo.close();
    }

    static RawHit.Builder raw() {
        return RawHit.newBuilder()
                .setHitId("h1")
                .setReceivedAt(LATE_EVENING)
                .setSiteId("shop")
                .setHitType(HitType.PAGE_VIEW)
                .setIp("2001:480:10::1")
                .setUserAgent(CHROME);
    }

    @Test
    void optInWithAnAllowedLoginGetsEverything() {
        EnrichedHit hit =
                enricher.enrich(
                        raw().setUserId("jane@login.example")
                                .setCookieId("cookie-1")
                                .setUrl(
                                        "https://shop.example/search?q=shoes&email=jane%40mail.example&utm_source=nl&utm_medium=email")
                                .setReferrer("https://www.google.com/search?q=jane")
                                .setGps(new Gps(48.8566, 2.3522))
                                .setForm(Map.of("newsletter", "yes", "email", "jane@mail.example"))
                                .setProperties(Map.of("plan", "pro", "debug", "x"))
                                .setEvent(new Event("video", "play", "jane@mail.example", 3.0))
                                .build(),
                        acme);
        EnrichedHit expected =
                EnrichedHit.newBuilder()
                        .setTenantId("acme")
                        .setSiteId("shop")
                        .setHitId("h1")
                        .setReceivedAt(LATE_EVENING)
                        .setDay((int) LocalDate.of(2026, 3, 10).toEpochDay())
                        .setHour(23)
                        .setTimeZone("Europe/Paris")
                        .setHitType(HitType.PAGE_VIEW)
                        .setVisitorId(
                                new VisitorIdHasher("acme", "v1", KEY)
                                        .visitorId(IdKind.USER, "jane@login.example"))
                        .setKeyVersion("v1")
                        .setIdKind(IdKind.USER)
                        .setConsent(Consent.OPT_IN)
                        .setPage("/search")
                        .setUrl("https://shop.example/search?q=shoes")
                        .setReferrerHost("www.google.com")
                        .setSourceClass("campaign")
                        .setCampaignSource("nl")
                        .setCampaignMedium("email")
                        .setCountry("US")
                        .setRegion("CA")
                        .setCity("San Diego")
                        .setDeviceClass("Desktop")
                        .setOsName("Windows NT")
                        .setAgentName("Chrome")
                        .setAgentVersion("124")
                        .setIsBot(false)
                        .setGeoCell("u09tv")
                        .setEvent(new Event("video", "play", null, 3.0))
                        .setForm(Map.of("newsletter", "yes"))
                        .setProperties(Map.of("plan", "pro"))
                        .build();
        assertThat(hit).isEqualTo(expected);
    }

    @Test
    void exemptDropsLoginGpsAndFormsAndUsesTheCookie() {
        EnrichedHit hit =
                enricher.enrich(
                        raw().setConsent(Consent.EXEMPT)
                                .setUserId("jane@login.example")
                                .setCookieId("cookie-1")
                                .setGps(new Gps(48.8566, 2.3522))
                                .setForm(Map.of("newsletter", "yes"))
                                .build(),
                        acme);
        assertThat(hit.getIdKind()).isEqualTo(IdKind.COOKIE);
        assertThat(hit.getVisitorId())
                .isEqualTo(
                        new VisitorIdHasher("acme", "v1", KEY)
                                .visitorId(IdKind.COOKIE, "cookie-1"));
        assertThat(hit.getGeoCell()).isNull();
        assertThat(hit.getForm()).isNull();
        assertThat(hit.getSourceClass()).isEqualTo("direct");
    }

    @Test
    void optOutAndNoConsentGetNoVisitorId() {
        for (Consent c : new Consent[] {Consent.OPT_OUT, Consent.NO_CONSENT}) {
            EnrichedHit hit =
                    enricher.enrich(raw().setConsent(c).setCookieId("cookie-1").build(), acme);
            assertThat(hit.getVisitorId()).isNull();
            assertThat(hit.getIdKind()).isNull();
            assertThat(hit.getKeyVersion()).isNull();
            assertThat(hit.getConsent()).isEqualTo(c);
            assertThat(hit.getCountry()).isEqualTo("US"); // still counted in aggregates
        }
    }

    @Test
    void mobileIdWhenNoCookie() {
        EnrichedHit hit = enricher.enrich(raw().setMobileId("m-1").build(), acme);
        assertThat(hit.getIdKind()).isEqualTo(IdKind.MOBILE);
        assertThat(hit.getVisitorId())
                .isEqualTo(new VisitorIdHasher("acme", "v1", KEY).visitorId(IdKind.MOBILE, "m-1"));
    }

    @Test
    void truncationBeforeGeoWhereTheTenantSaysSo() {
        // initech is in DE: IP truncation on by default
        RawHit changchun = raw().setSiteId("portal").setIp("175.16.199.7").build();
        EnrichedHit hit = enricher.enrich(changchun, initech);
        assertThat(hit.getCountry()).isEqualTo("CN");
        assertThat(hit.getRegion()).isEqualTo("22");
        assertThat(hit.getCity()).isEqualTo("Changchun");
        EnrichedHit london =
                enricher.enrich(raw().setSiteId("portal").setIp("81.2.69.142").build(), initech);
        assertThat(london.getCity()).isNull();
        EnrichedHit untruncated = enricher.enrich(raw().setIp("81.2.69.142").build(), acme);
        assertThat(untruncated.getCity()).isEqualTo("London");
    }

    @Test
    void cookielessIdChangesAtLocalMidnightAndNotBefore() {
        long midnightParis = Instant.parse("2026-03-10T23:00:00Z").toEpochMilli();
        RawHit.Builder anonymous = raw().setIp("81.2.69.142");
        String before =
                enricher.enrich(anonymous.setReceivedAt(midnightParis - 1).build(), acme)
                        .getVisitorId();
        String earlier =
                enricher.enrich(anonymous.setReceivedAt(midnightParis - 3_600_000).build(), acme)
                        .getVisitorId();
        String after =
                enricher.enrich(anonymous.setReceivedAt(midnightParis).build(), acme)
                        .getVisitorId();
        assertThat(before).isEqualTo(earlier).hasSize(32);
        assertThat(after).isNotEqualTo(before);
        // the same device on the same /24 is the same visitor that day
        assertThat(
                        enricher.enrich(
                                        anonymous
                                                .setIp("81.2.69.160")
                                                .setReceivedAt(midnightParis - 1)
                                                .build(),
                                        acme)
                                .getVisitorId())
                .isEqualTo(before);
        assertThat(enricher.enrich(anonymous.build(), acme).getIdKind())
                .isEqualTo(IdKind.COOKIELESS);
    }

    @Test
    void differentTenantsGiveDifferentIdsForTheSameCookie() {
        String acmeId = enricher.enrich(raw().setCookieId("c").build(), acme).getVisitorId();
        String initechId =
                enricher.enrich(raw().setSiteId("portal").setCookieId("c").build(), initech)
                        .getVisitorId();
        assertThat(acmeId).isNotEqualTo(initechId);
    }

    @Test
    void theSuppressionIdOfAnIdentifierDoesNotChangeWhenTheKeyRotates() {
        byte[] suppression = "acme-suppression-key-0123456789!".getBytes(StandardCharsets.US_ASCII);
        byte[] v2 = "acme-test-key-v2-0123456789abcd!".getBytes(StandardCharsets.US_ASCII);
        KeyRing ring =
                KeyRing.of(
                        Map.of(
                                "acme",
                                Map.of("v1", KEY, "v2", v2, KeyRing.SUPPRESSION, suppression)));
        HitEnricher gate = new HitEnricher(ring, null, null);
        var underV1 = gate.enrich(raw().setCookieId("c").build(), acme);
        var underV2 =
                gate.enrich(
                        raw().setCookieId("c").build(),
                        TenantConfigUpdates.apply(
                                        new TenantRegistry(java.util.List.of(acme), null),
                                        "acme",
                                        """
                                        id: acme
                                        country: FR
                                        time_zone: Europe/Paris
                                        sites: [shop]
                                        default_consent: OPT_IN
                                        current_key: v2
                                        """)
                                .tenant("acme")
                                .orElseThrow());
        String expected =
                new VisitorIdHasher("acme", KeyRing.SUPPRESSION, suppression)
                        .suppressionId(IdKind.COOKIE, "c");
        assertThat(underV1.getVisitorId()).isNotEqualTo(underV2.getVisitorId());
        assertThat(underV1.getSuppressionId()).isEqualTo(expected);
        assertThat(underV2.getSuppressionId()).isEqualTo(expected);
        assertThat(expected).isNotEqualTo(underV1.getVisitorId()).hasSize(32);
        // no identifier, nothing to suppress by; no suppression key, no suppression ID
        assertThat(gate.enrich(raw().build(), acme).getSuppressionId()).isNull();
        assertThat(enricher.enrich(raw().setCookieId("c").build(), acme).getSuppressionId())
                .isNull();
    }

    @Test
    void sensitivePageLabelsAreRedactedAndBotsFlagged() {
        EnrichedHit hit =
                enricher.enrich(
                        raw().setPage("thanks jane@mail.example")
                                .setUserAgent(
                                        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
                                .build(),
                        acme);
        assertThat(hit.getPage()).isEqualTo("(redacted)");
        assertThat(hit.getIsBot()).isTrue();
    }
}
