package dev.hitflow.jobs.session;

import static dev.hitflow.jobs.session.TestHits.cart;
import static dev.hitflow.jobs.session.TestHits.event;
import static dev.hitflow.jobs.session.TestHits.heartbeat;
import static dev.hitflow.jobs.session.TestHits.hit;
import static dev.hitflow.jobs.session.TestHits.page;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.avro.CartAction;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.Session;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionBuilderTest {
    // 2023-11-14T23:30:00Z, already 00:30 on the 15th in Paris: the session day is the 15th.
    private static final long T0 = 1_700_004_600_000L;

    @Test
    void buildsEveryField() {
        EnrichedHit first =
                hit("h1", "vis", T0, HitType.PAGE_VIEW)
                        .setPage("/home")
                        .setCountry("FR")
                        .setRegion("IDF")
                        .setCity("Paris")
                        .setDeviceClass("Phone")
                        .setOsName("Android")
                        .setAgentName("Chrome")
                        .setSourceClass("campaign")
                        .setReferrerHost("news.example")
                        .setCampaignSource("nl")
                        .setCampaignMedium("email")
                        .setCampaignName("black-friday")
                        .setCampaignTerm("shoes")
                        .setCampaignContent("top")
                        .build();
        List<EnrichedHit> hits =
                List.of(
                        first,
                        event("h2", "vis", T0 + 5_000),
                        page("h3", "vis", T0 + 20_000, "/product"),
                        cart("h4", "vis", T0 + 30_000, CartAction.ADD, 2, 1_999, "EUR"),
                        page("h5", "vis", T0 + 45_000, "/checkout"),
                        cart("h6", "vis", T0 + 50_000, CartAction.PURCHASE, 2, 1_999, "EUR"),
                        cart("h7", "vis", T0 + 51_000, CartAction.PURCHASE, 1, 500, "USD"),
                        cart("h8", "vis", T0 + 52_000, CartAction.PURCHASE, 3, 100, "EUR"),
                        heartbeat("h9", "vis", T0 + 80_000));

        Session session = SessionBuilder.build(hits, TestHits.ZONE);

        assertThat(session.getTenantId()).isEqualTo("acme");
        assertThat(session.getSiteId()).isEqualTo("site-fr-1");
        assertThat(session.getVisitorId()).isEqualTo("vis");
        assertThat(session.getKeyVersion()).isEqualTo("v1");
        assertThat(session.getSessionId()).isEqualTo(SessionBuilder.sessionId(first)).hasSize(32);
        assertThat(session.getDay()).isEqualTo((int) LocalDate.of(2023, 11, 15).toEpochDay());
        assertThat(session.getTimeZone()).isEqualTo("Europe/Paris");
        assertThat(session.getStartedAt()).isEqualTo(T0);
        assertThat(session.getEndedAt()).isEqualTo(T0 + 80_000);
        assertThat(session.getDurationMs()).isEqualTo(80_000);
        assertThat(session.getHits()).isEqualTo(9);
        assertThat(session.getPageViews()).isEqualTo(3);
        assertThat(session.getPath()).containsExactly("/home", "/product", "/checkout");
        assertThat(session.getEntryPage()).isEqualTo("/home");
        assertThat(session.getExitPage()).isEqualTo("/checkout");
        assertThat(session.getTimeOnPageMs()).containsExactly(20_000L, 25_000L, 35_000L);
        assertThat(session.getBounce()).isFalse();
        assertThat(session.getEvents()).isEqualTo(1);
        assertThat(session.getCartAdds()).isEqualTo(1);
        assertThat(session.getPurchases()).isEqualTo(3);
        assertThat(session.getRevenue()).isEqualTo(Map.of("EUR", 4_298L, "USD", 500L));
        assertThat(session.getCountry()).isEqualTo("FR");
        assertThat(session.getRegion()).isEqualTo("IDF");
        assertThat(session.getCity()).isEqualTo("Paris");
        assertThat(session.getDeviceClass()).isEqualTo("Phone");
        assertThat(session.getOsName()).isEqualTo("Android");
        assertThat(session.getAgentName()).isEqualTo("Chrome");
        assertThat(session.getSourceClass()).isEqualTo("campaign");
        assertThat(session.getReferrerHost()).isEqualTo("news.example");
        assertThat(session.getCampaignSource()).isEqualTo("nl");
        assertThat(session.getCampaignMedium()).isEqualTo("email");
        assertThat(session.getCampaignName()).isEqualTo("black-friday");
        assertThat(session.getCampaignTerm()).isEqualTo("shoes");
        assertThat(session.getCampaignContent()).isEqualTo("top");
    }

    @Test
    void singlePageViewIsABounceAndHeartbeatsOnlySessionHasNoPath() {
        Session bounce =
                SessionBuilder.build(
                        List.of(page("a", "v", T0, "/"), heartbeat("b", "v", T0 + 15_000)),
                        TestHits.ZONE);
        assertThat(bounce.getBounce()).isTrue();
        assertThat(bounce.getTimeOnPageMs()).containsExactly(15_000L);

        Session noPages = SessionBuilder.build(List.of(heartbeat("c", "v", T0)), TestHits.ZONE);
        assertThat(noPages.getBounce()).isFalse();
        assertThat(noPages.getPath()).isEmpty();
        assertThat(noPages.getEntryPage()).isNull();
        assertThat(noPages.getExitPage()).isNull();
        assertThat(noPages.getDurationMs()).isZero();
    }

    @Test
    void sessionIdIsDeterministicAndDependsOnTheFirstHit() {
        EnrichedHit a = page("a", "v", T0, "/");
        assertThat(SessionBuilder.sessionId(a))
                .isEqualTo(SessionBuilder.sessionId(page("a", "v", T0, "/other")))
                .isNotEqualTo(SessionBuilder.sessionId(page("a", "v", T0 + 1, "/")))
                .isNotEqualTo(SessionBuilder.sessionId(page("b", "v", T0, "/")))
                .isNotEqualTo(SessionBuilder.sessionId(page("a", "w", T0, "/")));
    }
}
