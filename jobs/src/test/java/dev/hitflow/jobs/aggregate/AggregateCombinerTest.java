package dev.hitflow.jobs.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.hitflow.schemas.avro.AggregateDelta;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.tables.AggregateTables;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Partial sums before the keyed counter: same rows, fewer records, nothing held past the watermark
 * that can close its row.
 */
class AggregateCombinerTest {
    static final ZoneId PARIS = AggregateCounterTest.PARIS;
    static final Instant NOON = Instant.parse("2026-05-04T10:00:00Z");

    static OneInputStreamOperatorTestHarness<EnrichedHit, AggregateDelta> harness()
            throws Exception {
        var h =
                new OneInputStreamOperatorTestHarness<>(
                        new AggregateCombiner<>(AggregateStage::contributionsOf));
        h.open();
        return h;
    }

    static EnrichedHit hit(String id, String visitor) {
        return AggregateCounterTest.hit(id, NOON, PARIS, visitor, HitType.PAGE_VIEW);
    }

    static List<AggregateDelta> emitted(
            OneInputStreamOperatorTestHarness<EnrichedHit, AggregateDelta> h) {
        return h.extractOutputValues();
    }

    @Test
    void partialsWaitUntilAWatermarkCanCloseTheirRowAndGoOutBeforeIt() throws Exception {
        // Hits at 12:00 in Paris: the hourly row closes at 13:00 + the settling hour (12:00 UTC),
        // the daily rows at midnight + the settling hour (23:00 UTC).
        Instant hourlyCloses = Instant.parse("2026-05-04T12:00:00Z");
        Instant dailyCloses = Instant.parse("2026-05-04T23:00:00Z");
        try (var h = harness()) {
            h.processElement(new StreamRecord<>(hit("a", "v1")));
            h.processElement(new StreamRecord<>(hit("b", "v2")));
            h.processElement(new StreamRecord<>(hit("c", "v1")));
            h.processElement(new StreamRecord<>(hit("d", null)));
            assertThat(h.getOutput()).isEmpty();

            h.processWatermark(new Watermark(NOON.toEpochMilli()));
            h.processWatermark(new Watermark(hourlyCloses.toEpochMilli() - 1));
            assertThat(emitted(h)).isEmpty();

            h.processWatermark(new Watermark(hourlyCloses.toEpochMilli()));
            assertThat(emitted(h))
                    .extracting(AggregateDelta::getTable)
                    .containsExactly(AggregateTables.TRAFFIC_HOURLY);
            h.processWatermark(new Watermark(dailyCloses.toEpochMilli() - 1));
            assertThat(emitted(h)).hasSize(1);

            h.processWatermark(new Watermark(dailyCloses.toEpochMilli()));
            // one partial per row (5 tables), each before the watermark that can close it
            List<Object> out = new ArrayList<>(h.getOutput());
            assertThat(out).hasSize(10);
            assertThat(out.get(2)).isNotInstanceOf(Watermark.class);
            assertThat(out.get(3)).isEqualTo(new Watermark(hourlyCloses.toEpochMilli()));
            assertThat(out.subList(5, 9))
                    .extracting(o -> ((StreamRecord<?>) o).getValue())
                    .extracting(d -> ((AggregateDelta) d).getTable())
                    .containsExactlyInAnyOrder(
                            AggregateTables.TRAFFIC_DAILY,
                            AggregateTables.GEO_DAILY,
                            AggregateTables.DEVICES_DAILY,
                            AggregateTables.SOURCES_DAILY);
            assertThat(out.get(9)).isEqualTo(new Watermark(dailyCloses.toEpochMilli()));
            for (AggregateDelta partial : emitted(h)) {
                assertThat(partial.getHits()).as(partial.getTable()).isEqualTo(4);
                assertThat(partial.getVisitorId()).isNull();
                assertThat(AggregateCounterTest.estimate(partial)).isEqualTo(2.0, within(0.01));
            }
        }
    }

    @Test
    void aLatePartialGoesOutBeforeTheNextWatermark() throws Exception {
        try (var h = harness()) {
            h.processWatermark(new Watermark(Instant.parse("2026-05-06T00:00:00Z").toEpochMilli()));
            h.processElement(new StreamRecord<>(hit("late", "v1")));
            assertThat(emitted(h)).isEmpty();
            h.processWatermark(new Watermark(Instant.parse("2026-05-06T00:00:01Z").toEpochMilli()));
            assertThat(emitted(h)).hasSize(5);
        }
    }

    @Test
    void aCheckpointBarrierAndTheEndOfInputFlushEverything() throws Exception {
        try (var h = harness()) {
            h.processElement(new StreamRecord<>(hit("a", "v1")));
            h.prepareSnapshotPreBarrier(1L);
            assertThat(emitted(h)).hasSize(5);
            h.processElement(new StreamRecord<>(hit("b", "v1")));
            h.endInput();
            h.getOneInputOperator().finish();
            assertThat(emitted(h)).hasSize(10);
            assertThat(h.snapshot(2L, 2L).getManagedOperatorState()).isEmpty();
        }
    }

    /**
     * The counter's rows are the same with and without the combiner in front of it: random hits
     * over two days and visitors, watermarks at random points, late hits included.
     */
    @Test
    void rowsAreTheSameAsWithoutTheCombiner() throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        List<Object> input = new ArrayList<>();
        long t = NOON.toEpochMilli();
        long watermark = Long.MIN_VALUE;
        for (int i = 0; i < 3_000; i++) {
            t += random.nextLong(60_000);
            long at = t - random.nextLong(Duration.ofHours(3).toMillis()); // some late
            String visitor = random.nextInt(10) == 0 ? null : "v" + random.nextInt(200);
            EnrichedHit hit =
                    AggregateCounterTest.hit(
                            "h" + i,
                            Instant.ofEpochMilli(at),
                            PARIS,
                            visitor,
                            random.nextBoolean() ? HitType.PAGE_VIEW : HitType.EVENT);
            hit.setCountry(random.nextBoolean() ? "FR" : "DE");
            input.add(hit);
            if (random.nextInt(50) == 0 && t - 30_000 > watermark) {
                watermark = t - 30_000;
                input.add(new Watermark(watermark));
            }
        }
        input.add(new Watermark(Long.MAX_VALUE));

        Map<String, String> direct = new TreeMap<>();
        Map<String, String> combined = new TreeMap<>();
        try (var counter = AggregateCounterTest.harness()) {
            for (Object o : input) {
                if (o instanceof EnrichedHit hit) {
                    for (AggregateDelta d : AggregateStage.contributionsOf(hit)) {
                        counter.processElement(d, 0);
                    }
                } else {
                    counter.processWatermark((Watermark) o);
                }
            }
            collect(counter.extractOutputValues(), direct);
        }
        try (var combiner = harness();
                var counter = AggregateCounterTest.harness()) {
            int seen = 0;
            for (Object o : input) {
                if (o instanceof EnrichedHit hit) {
                    combiner.processElement(new StreamRecord<>(hit));
                } else {
                    combiner.processWatermark((Watermark) o);
                    List<AggregateDelta> partials = combiner.extractOutputValues();
                    for (AggregateDelta d : partials.subList(seen, partials.size())) {
                        counter.processElement(d, 0);
                    }
                    seen = partials.size();
                    counter.processWatermark((Watermark) o);
                }
            }
            collect(counter.extractOutputValues(), combined);
            assertThat(combiner.extractOutputValues().size()).isLessThan(3_000);
        }
        assertThat(combined).isEqualTo(direct);
        assertThat(direct).hasSizeGreaterThan(20);
    }

    /** Rows by key and order of emission, with their counts and visitor sketches. */
    private static void collect(List<AggregateDelta> rows, Map<String, String> into) {
        Map<String, Integer> seen = new TreeMap<>();
        for (AggregateDelta r : rows) {
            String key = AggregateContributions.key(r);
            int n = seen.merge(key, 1, Integer::sum);
            into.put(
                    key + " #" + n,
                    r.getHits()
                            + " "
                            + r.getPageViews()
                            + " "
                            + r.getEvents()
                            + " "
                            + (r.getVisitors() == null
                                    ? "-"
                                    : Math.round(AggregateCounterTest.estimate(r)))
                            // the Trino sketch to the byte: merging partials loses nothing
                            + " "
                            + (r.getVisitorsTrino() == null
                                    ? "-"
                                    : java.util.HexFormat.of()
                                            .formatHex(AggregateCounterTest.trinoBytes(r))));
        }
    }
}
