package dev.hitflow.udfs.consent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.IdKind;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SuppressionTest {
    @Test
    void aSuppressedHitKeepsOnlyWhatAnOptOutHitKeeps() {
        EnrichedHit hit =
                EnrichedHit.newBuilder()
                        .setTenantId("acme")
                        .setSiteId("shop")
                        .setHitId("h1")
                        .setReceivedAt(1_700_000_000_000L)
                        .setDay(19_676)
                        .setHour(22)
                        .setTimeZone("Europe/Paris")
                        .setHitType(HitType.PAGE_VIEW)
                        .setVisitorId("0123456789abcdef0123456789abcdef")
                        .setKeyVersion("v1")
                        .setIdKind(IdKind.COOKIE)
                        .setConsent(Consent.OPT_IN)
                        .setSessionId("s1")
                        .setPage("/cart")
                        .setCity("London")
                        .setGeoCell("gcpvj")
                        .setForm(Map.of("plan", "pro"))
                        .setProperties(Map.of("ab", "b"))
                        .build();

        EnrichedHit suppressed = Suppression.asOptedOut(hit);

        assertThat(suppressed.getConsent()).isEqualTo(Consent.OPT_OUT);
        assertThat(suppressed.getVisitorId()).isNull();
        assertThat(suppressed.getKeyVersion()).isNull();
        assertThat(suppressed.getIdKind()).isNull();
        assertThat(suppressed.getSessionId()).isNull();
        assertThat(suppressed.getGeoCell()).isNull();
        assertThat(suppressed.getForm()).isNull();
        assertThat(suppressed.getPage()).isEqualTo("/cart");
        assertThat(suppressed.getCity()).isEqualTo("London");
        assertThat(suppressed.getProperties()).isEqualTo(Map.of("ab", "b"));
        assertThat(hit.getVisitorId()).isEqualTo("0123456789abcdef0123456789abcdef");
    }
}
