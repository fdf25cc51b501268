package dev.hitflow.jobs.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.hitflow.schemas.avro.AggregateDelta;
import dev.hitflow.schemas.avro.Cart;
import dev.hitflow.schemas.avro.CartAction;
import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.Session;
import io.airlift.slice.Slices;
import io.airlift.stats.cardinality.HyperLogLog;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Exact aggregate rows, per tenant time zone, daylight saving included, with delta rows. */
class AggregateCounterTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    static EnrichedHit hit(String id, Instant at, ZoneId zone, String visitor, HitType type) {
        ZonedDateTime local = at.atZone(zone);
        return EnrichedHit.newBuilder()
                .setTenantId(zone == PARIS ? "acme" : "globex")
                .setSiteId("s")
                .setHitId(id)
                .setReceivedAt(at.toEpochMilli())
                .setDay((int) local.toLocalDate().toEpochDay())
                .setHour(local.getHour())
                .setTimeZone(zone.getId())
                .setHitType(type)
                .setVisitorId(visitor)
                .setConsent(visitor == null ? Consent.OPT_OUT : Consent.OPT_IN)
                .setCountry("FR")
                .setDeviceClass("Phone")
                .setSourceClass("direct")
                .build();
    }

    static Session session(Instant start, ZoneId zone, long durationMs, boolean bounce) {
        ZonedDateTime local = start.atZone(zone);
        return Session.newBuilder()
                .setTenantId(zone == PARIS ? "acme" : "globex")
                .setSiteId("s")
                .setSessionId("x")
                .setVisitorId("v")
                .setDay((int) local.toLocalDate().toEpochDay())
                .setTimeZone(zone.getId())
                .setStartedAt(start.toEpochMilli())
                .setEndedAt(start.toEpochMilli() + durationMs)
                .setDurationMs(durationMs)
                .setHits(1)
                .setPageViews(1)
                .setPath(List.of("/"))
                .setTimeOnPageMs(List.of(0L))
                .setBounce(bounce)
                .setEvents(0)
                .setCartAdds(0)
                .setPurchases(0)
                .setRevenue(Map.of())
                .setCountry("FR")
                .setDeviceClass("Phone")
                .setSourceClass("direct")
                .build();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, AggregateDelta, AggregateDelta> harness()
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, AggregateDelta, AggregateDelta> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new AggregateCounter()),
                        AggregateContributions::key,
                        Types.STRING);
        h.open();
        return h;
    }

    static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, AggregateDelta, AggregateDelta> h,
            List<AggregateDelta> deltas,
            long ts)
            throws Exception {
        for (AggregateDelta d : deltas) {
            h.processElement(d, ts);
        }
    }

    static List<AggregateDelta> rows(
            KeyedOneInputStreamOperatorTestHarness<String, AggregateDelta, AggregateDelta> h,
            String table) {
        return h.extractOutputValues().stream()
                .filter(r -> r.getTable().equals(table))
                .collect(Collectors.toList());
    }

    @Test
    void parisDaylightSavingDayHasTwentyThreeHoursAndCountsAreExact() throws Exception {
        // 2026-03-29: Paris jumps from 02:00 to 03:00
        Instant beforeJump = Instant.parse("2026-03-29T00:30:00Z"); // 01:30 CET
        Instant afterJump = Instant.parse("2026-03-29T01:30:00Z"); // 03:30 CEST
        try (var h = harness()) {
            feed(
                    h,
                    AggregateContributions.ofHit(
                            hit("h1", beforeJump, PARIS, "v1", HitType.PAGE_VIEW), true),
                    0);
            feed(
                    h,
                    AggregateContributions.ofHit(
                            hit("h2", afterJump, PARIS, "v1", HitType.PAGE_VIEW), true),
                    0);
            feed(
                    h,
                    AggregateContributions.ofHit(
                            hit("h3", afterJump, PARIS, null, HitType.PAGE_VIEW), true),
                    0);
            EnrichedHit purchase = hit("h4", afterJump, PARIS, "v2", HitType.CART);
            purchase.setCart(new Cart(CartAction.PURCHASE, "sku", 2, 1500L, "EUR", null));
            feed(h, AggregateContributions.ofHit(purchase, true), 0);
            feed(
                    h,
                    AggregateContributions.ofSession(session(beforeJump, PARIS, 3_600_000, false)),
                    0);
            h.processWatermark(Long.MAX_VALUE);

            List<AggregateDelta> daily = rows(h, "traffic_daily");
            assertThat(daily).hasSize(1);
            AggregateDelta day = daily.get(0);
            assertThat(
                            List.of(
                                    day.getHits(),
                                    day.getPageViews(),
                                    day.getSessions(),
                                    day.getBounces(),
                                    day.getSessionDurationMs(),
                                    day.getPurchases()))
                    .containsExactly(4L, 3L, 1L, 0L, 3_600_000L, 1L);
            assertThat(day.getRevenue()).isEqualTo(Map.of("EUR", 3000L));
            assertThat(estimate(day)).isEqualTo(2.0, within(0.01)); // v1, v2; the opt-out adds none

            Map<Integer, Long> hitsByHour =
                    rows(h, "traffic_hourly").stream()
                            .collect(
                                    Collectors.toMap(
                                            AggregateDelta::getHour, AggregateDelta::getHits));
            assertThat(hitsByHour).isEqualTo(Map.of(1, 1L, 3, 3L)); // no 02:00 that day
            assertThat(rows(h, "geo_daily"))
                    .singleElement()
                    .satisfies(
                            r -> {
                                assertThat(r.getDims()).containsExactly("FR", null, null);
                                assertThat(r.getHits()).isEqualTo(4);
                                assertThat(r.getSessions()).isEqualTo(1);
                            });
        }
    }

    @Test
    void fallBackDayHasTwentyFiveHoursAndNewYorkDaysAreNewYorkDays() throws Exception {
        // 2026-10-25: Paris repeats 02:00-03:00; a New York evening is the next UTC day
        Instant firstTwo = Instant.parse("2026-10-25T00:30:00Z"); // 02:30 CEST
        Instant secondTwo = Instant.parse("2026-10-25T01:30:00Z"); // 02:30 CET
        Instant nyEvening = Instant.parse("2026-10-26T02:00:00Z"); // 22:00 EDT on the 25th
        try (var h = harness()) {
            feed(
                    h,
                    AggregateContributions.ofHit(
                            hit("p1", firstTwo, PARIS, "v1", HitType.PAGE_VIEW), true),
                    0);
            feed(
                    h,
                    AggregateContributions.ofHit(
                            hit("p2", secondTwo, PARIS, "v1", HitType.EVENT), true),
                    0);
            feed(
                    h,
                    AggregateContributions.ofHit(
                            hit("n1", nyEvening, NEW_YORK, "v9", HitType.PAGE_VIEW), true),
                    0);
            h.processWatermark(Long.MAX_VALUE);
            List<AggregateDelta> daily = rows(h, "traffic_daily");
            assertThat(daily)
                    .extracting(
                            d ->
                                    d.getTimeZone()
                                            + " "
                                            + java.time.LocalDate.ofEpochDay(d.getDay())
                                            + " "
                                            + d.getHits()
                                            + " "
                                            + d.getEvents())
                    .containsExactlyInAnyOrder(
                            "Europe/Paris 2026-10-25 2 1", "America/New_York 2026-10-25 1 0");
            assertThat(rows(h, "traffic_hourly"))
                    .extracting(d -> d.getTimeZone() + " " + d.getHour() + " " + d.getHits())
                    .containsExactlyInAnyOrder("Europe/Paris 2 2", "America/New_York 22 1");
        }
    }

    @Test
    void lateDataAddsADeltaRowWhoseSumIsRight() throws Exception {
        Instant noon = Instant.parse("2026-05-04T10:00:00Z");
        long dayEndParis = Instant.parse("2026-05-04T22:00:00Z").toEpochMilli();
        try (var h = harness()) {
            feed(
                    h,
                    AggregateContributions.ofHit(
                            hit("a", noon, PARIS, "v1", HitType.PAGE_VIEW), true),
                    0);
            feed(
                    h,
                    AggregateContributions.ofHit(
                            hit("b", noon, PARIS, "v2", HitType.PAGE_VIEW), true),
                    0);
            h.processWatermark(dayEndParis + AggregateCounter.SETTLE);
            assertThat(rows(h, "traffic_daily")).hasSize(1);
            // a late hit of the same day, after its row went out
            feed(
                    h,
                    AggregateContributions.ofHit(
                            hit("c", noon, PARIS, "v1", HitType.PAGE_VIEW), true),
                    0);
            h.processWatermark(dayEndParis + AggregateCounter.SETTLE + 1);
            List<AggregateDelta> daily = rows(h, "traffic_daily");
            assertThat(daily).extracting(AggregateDelta::getHits).containsExactly(2L, 1L);
            assertThat(daily.stream().mapToLong(AggregateDelta::getHits).sum()).isEqualTo(3);
            // the union of both rows' sketches still counts two visitors
            assertThat(
                            HllSketches.unionEstimate(
                                    daily.stream().map(AggregateCounterTest::bytes).toList()))
                    .isEqualTo(2.0, within(0.01));
            assertThat(
                            TrinoSketches.unionCardinality(
                                    daily.stream().map(AggregateCounterTest::trinoBytes).toList()))
                    .isEqualTo(2);
        }
    }

    @Test
    void dailySketchesMergedOverAllDaysEstimateAHundredThousandVisitorsWithinTwoPercent()
            throws Exception {
        List<byte[]> sketches = new ArrayList<>();
        List<byte[]> trinoSketches = new ArrayList<>();
        try (var h = harness()) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(7);
            // realistic IDs: what the gate makes of 100,000 cookies
            dev.hitflow.udfs.identity.VisitorIdHasher ids =
                    new dev.hitflow.udfs.identity.VisitorIdHasher(
                            "acme",
                            "v1",
                            "acme-test-key-0123456789abcdef!!"
                                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Instant start = Instant.parse("2026-06-01T10:00:00Z");
            for (int v = 0; v < 100_000; v++) {
                String visitor =
                        ids.visitorId(dev.hitflow.schemas.avro.IdKind.COOKIE, "cookie-" + v);
                int visits = 1 + random.nextInt(3); // returning visitors on several days
                for (int k = 0; k < visits; k++) {
                    Instant at = start.plus(java.time.Duration.ofDays(random.nextInt(7)));
                    EnrichedHit hit = hit("h" + v + "-" + k, at, PARIS, visitor, HitType.PAGE_VIEW);
                    for (AggregateDelta d : AggregateContributions.ofHit(hit, true)) {
                        if (d.getTable().equals("traffic_daily")) {
                            h.processElement(d, 0);
                        }
                    }
                }
            }
            h.processWatermark(Long.MAX_VALUE);
            for (AggregateDelta d : rows(h, "traffic_daily")) {
                sketches.add(bytes(d));
                trinoSketches.add(trinoBytes(d));
            }
        }
        assertThat(sketches).hasSize(7);
        double estimate = HllSketches.unionEstimate(sketches);
        assertThat(estimate).isBetween(98_000.0, 102_000.0);
        // the Trino sketches, read and merged by Airlift's own class as Trino's merge() does
        HyperLogLog union = HyperLogLog.newInstance(TrinoSketches.BUCKETS);
        for (byte[] b : trinoSketches) {
            union.mergeWith(HyperLogLog.newInstance(Slices.wrappedBuffer(b)));
        }
        assertThat(union.cardinality()).isBetween(98_000L, 102_000L);
    }

    static byte[] bytes(AggregateDelta d) {
        ByteBuffer b = d.getVisitors().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static byte[] trinoBytes(AggregateDelta d) {
        ByteBuffer b = d.getVisitorsTrino().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static double estimate(AggregateDelta d) {
        return HllSketches.unionEstimate(List.of(bytes(d)));
    }
}
