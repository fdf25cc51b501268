package dev.hitflow.jobs.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.hitflow.jobs.maintain.IcebergFiles;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.sink.SuppressionTable;
import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.IdKind;
import dev.hitflow.schemas.avro.SuppressionEntry;
import dev.hitflow.schemas.tables.RightsTables;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The opt-out registry on a real Iceberg table: what the table held when it opened, what is
 * committed to it while it runs, and what its own requests input brings, each suppresses; an empty
 * commit (the Flink sink's checkpoint marker) is no reason to read the table again; no hit leaves
 * with its suppression ID.
 */
class VisitorSuppressionFunctionTest {
    @TempDir Path warehouse;

    static EnrichedHit hit(String id, String visitor, String suppressionId) {
        return EnrichedHit.newBuilder()
                .setTenantId("acme")
                .setSiteId("acme-shop")
                .setHitId(id)
                .setReceivedAt(1_000)
                .setDay(0)
                .setHour(0)
                .setTimeZone("UTC")
                .setHitType(HitType.PAGE_VIEW)
                .setVisitorId(visitor)
                .setKeyVersion("v2")
                .setIdKind(IdKind.COOKIE)
                .setConsent(Consent.OPT_IN)
                .setSuppressionId(suppressionId)
                .build();
    }

    static SuppressionEntry entry(String suppressionId, String requestId) {
        return SuppressionEntry.newBuilder()
                .setTenantId("acme")
                .setSuppressionId(suppressionId)
                .setRequestId(requestId)
                .setType("OPT_OUT")
                .setIdKind("COOKIE")
                .setSource("test")
                .setRequestedAt(0)
                .build();
    }

    static void append(Table table, SuppressionEntry... entries) {
        IcebergFiles.append(
                table, Stream.of(entries).map(e -> SuppressionTable.record(table, e)).toList());
    }

    @Test
    void suppressesWhatTheTableHeldWhatIsCommittedLaterAndWhatArrives() throws Exception {
        HitflowCatalog hitflow = HitflowCatalog.local(warehouse);
        Catalog catalog = hitflow.open();
        hitflow.createTables(catalog);
        Table table = catalog.loadTable(RightsTables.SUPPRESSIONS);
        append(table, entry("s-before", "r-0"));

        try (var harness =
                new KeyedTwoInputStreamOperatorTestHarness<
                        String, EnrichedHit, SuppressionEntry, EnrichedHit>(
                        new KeyedCoProcessOperator<>(new VisitorSuppressionFunction(hitflow, 0)),
                        VisitorSuppressionFunction::key,
                        VisitorSuppressionFunction::key,
                        Types.STRING)) {
            harness.open();
            harness.processElement1(new StreamRecord<>(hit("h1", "v-before", "s-before")));
            harness.processElement1(new StreamRecord<>(hit("h2", "v-later", "s-later")));
            append(table, entry("s-later", "r-1"));
            table.newAppend().commit(); // an empty commit after it
            harness.processElement1(new StreamRecord<>(hit("h3", "v-later", "s-later")));
            harness.processElement2(new StreamRecord<>(entry("s-topic", "r-2")));
            harness.processElement1(new StreamRecord<>(hit("h4", "v-topic", "s-topic")));
            harness.processElement1(new StreamRecord<>(hit("h5", "v-other", "s-other")));
            // a cookieless visitor: looked up by visitor ID, which no request names
            harness.processElement1(new StreamRecord<>(hit("h6", "v-cookieless", null)));

            List<EnrichedHit> passed = harness.extractOutputValues();
            assertThat(passed)
                    .extracting(EnrichedHit::getHitId, EnrichedHit::getVisitorId)
                    .containsExactly(
                            tuple("h2", "v-later"),
                            tuple("h5", "v-other"),
                            tuple("h6", "v-cookieless"));
            List<EnrichedHit> suppressed =
                    harness.getSideOutput(VisitorSuppressionFunction.SUPPRESSED).stream()
                            .map(StreamRecord::getValue)
                            .toList();
            assertThat(suppressed)
                    .extracting(
                            EnrichedHit::getHitId,
                            EnrichedHit::getVisitorId,
                            EnrichedHit::getKeyVersion,
                            EnrichedHit::getConsent)
                    .containsExactly(
                            tuple("h1", null, null, Consent.OPT_OUT),
                            tuple("h3", null, null, Consent.OPT_OUT),
                            tuple("h4", null, null, Consent.OPT_OUT));
            assertThat(Stream.concat(passed.stream(), suppressed.stream()))
                    .allSatisfy(h -> assertThat(h.getSuppressionId()).isNull());
        }
        table.refresh();
        long current = table.currentSnapshot().snapshotId();
        long beforeEmpty = table.currentSnapshot().parentId();
        assertThat(SuppressionTable.changedSince(table, current)).isFalse();
        assertThat(SuppressionTable.changedSince(table, beforeEmpty)).isFalse();
        assertThat(SuppressionTable.changedSince(table, table.snapshot(beforeEmpty).parentId()))
                .isTrue();
        assertThat(SuppressionTable.changedSince(table, -1)).isTrue();
        if (catalog instanceof AutoCloseable c) {
            c.close();
        }
    }
}
