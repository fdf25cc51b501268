package dev.hitflow.jobs.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.hitflow.schemas.avro.AggregateDelta;
import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import java.util.List;
import org.junit.jupiter.api.Test;

class AggregateContributionsTest {
    @Test
    void aCappedHitCountsOnlyAsCappedInItsHourAndDay() {
        EnrichedHit hit =
                EnrichedHit.newBuilder()
                        .setTenantId("acme")
                        .setSiteId("acme-shop")
                        .setHitId("h")
                        .setReceivedAt(1_774_602_000_000L)
                        .setDay(20_539)
                        .setHour(10)
                        .setTimeZone("Europe/Paris")
                        .setHitType(HitType.PAGE_VIEW)
                        .setVisitorId("v")
                        .setConsent(Consent.OPT_IN)
                        .build();
        List<AggregateDelta> rows = AggregateContributions.ofCappedHit(hit);
        assertThat(rows)
                .extracting(
                        AggregateDelta::getTable,
                        AggregateDelta::getDay,
                        AggregateDelta::getHour,
                        AggregateDelta::getCappedHits,
                        AggregateDelta::getHits,
                        AggregateDelta::getPageViews,
                        AggregateDelta::getVisitorId)
                .containsExactly(
                        tuple("traffic_hourly", 20_539, 10, 1L, 0L, 0L, null),
                        tuple("traffic_daily", 20_539, -1, 1L, 0L, 0L, null));
        AggregateDelta sum = AggregateContributions.add(null, rows.get(1));
        AggregateContributions.add(sum, rows.get(1));
        assertThat(sum.getCappedHits()).isEqualTo(2L);
        assertThat(AggregateContributions.ofHit(hit, true))
                .extracting(AggregateDelta::getCappedHits)
                .containsOnly(0L);
    }
}
