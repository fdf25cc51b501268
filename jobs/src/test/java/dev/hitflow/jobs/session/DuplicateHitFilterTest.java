package dev.hitflow.jobs.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Hits without a visitor ID: a replayed hit_id is dropped for the tenant's dedupe window. */
class DuplicateHitFilterTest {
    private static final long HOUR = 3_600_000L;
    private static final long T0 = 1_774_602_000_000L;

    private final SessionHarness h =
            new SessionHarness(new DuplicateHitFilter(), DuplicateHitFilter::key);

    DuplicateHitFilterTest() throws Exception {}

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private static EnrichedHit anonymous(String id, long at, String tenant) {
        return TestHits.hit(id, null, at, HitType.PAGE_VIEW)
                .setTenantId(tenant)
                .setConsent(Consent.OPT_OUT)
                .setPage("/")
                .build();
    }

    @Test
    void aReplayIsDroppedWhileTheWatermarkIsWithinTheWindowAndTakenPastIt() throws Exception {
        EnrichedHit a = anonymous("a", T0, "acme");
        long window = a.getDedupeWindowMs();
        h.hit(a);
        h.watermark(T0 + 20 * HOUR);
        h.hit(anonymous("a", T0, "acme")); // the same record, replayed 20 hours later
        h.hit(anonymous("a", T0 + 20 * HOUR + 1, "acme")); // or received anew
        h.watermark(T0 + window); // the window's last instant
        h.hit(anonymous("a", T0, "acme"));
        assertThat(h.takeHits()).extracting(EnrichedHit::getHitId).containsExactly("a");
        assertThat(h.counter("duplicate_hits")).isEqualTo(3);
        assertThat(h.harness.numKeyedStateEntries()).isEqualTo(1);

        h.watermark(T0 + window + 1); // forgotten: state is empty again
        assertThat(h.harness.numKeyedStateEntries()).isZero();
        h.hit(anonymous("a", T0, "acme"));
        assertThat(h.takeHits()).extracting(EnrichedHit::getHitId).containsExactly("a");
        assertThat(h.counter("duplicate_hits")).isEqualTo(3);
    }

    @Test
    void theSameHitIdOfAnotherTenantIsAnotherHit() throws Exception {
        h.hit(anonymous("a", T0, "acme"));
        h.hit(anonymous("a", T0, "globex"));
        assertThat(h.takeHits())
                .extracting(EnrichedHit::getTenantId)
                .containsExactly("acme", "globex");
        assertThat(h.counter("duplicate_hits")).isZero();
    }
}
