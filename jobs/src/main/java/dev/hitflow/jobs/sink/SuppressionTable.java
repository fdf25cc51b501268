package dev.hitflow.jobs.sink;

import dev.hitflow.schemas.avro.SuppressionEntry;
import dev.hitflow.schemas.tables.RightsTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The durable opt-out registry, {@code analytics.suppressions}: what every job loads at start and
 * follows, and what every door (the requests topic, {@code hitflow rights}, request files) appends
 * to. A registry key is "tenant \0 suppression ID", the key of the opt-out registry's state.
 */
public final class SuppressionTable {
    public static final RowLayout LAYOUT = new RowLayout(RightsTables.SUPPRESSIONS_SCHEMA);

    private SuppressionTable() {}

    /** The registry key of a tenant's suppression ID. */
    public static String key(String tenantId, String suppressionId) {
        return tenantId + '\u0000' + suppressionId;
    }

    /** Every registry key in the table that {@code keep} accepts (a subtask keeps its own). */
    public static Set<String> keys(Table table, Predicate<String> keep) {
        Set<String> keys = new HashSet<>();
        if (table.currentSnapshot() == null) {
            return keys;
        }
        try (CloseableIterable<Record> rows =
                IcebergGenerics.read(table).select("tenant_id", "suppression_id").build()) {
            for (Record row : rows) {
                String key =
                        key(
                                (String) row.getField("tenant_id"),
                                (String) row.getField("suppression_id"));
                if (keep.test(key)) {
                    keys.add(key);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    /**
     * Whether the table's rows may differ from those of snapshot {@code since}: false when every
     * snapshot after it only appended nothing (the Flink sink commits an empty snapshot now and
     * then to record its checkpoint), true when one added or removed rows, or when {@code since} is
     * no longer among the current snapshot's ancestors.
     */
    public static boolean changedSince(Table table, long since) {
        Snapshot snapshot = table.currentSnapshot();
        while (snapshot != null && snapshot.snapshotId() != since) {
            Map<String, String> summary = snapshot.summary();
            if (!DataOperations.APPEND.equals(snapshot.operation())
                    || !"0".equals(summary.getOrDefault(SnapshotSummary.ADDED_RECORDS_PROP, "0"))) {
                return true;
            }
            snapshot = snapshot.parentId() == null ? null : table.snapshot(snapshot.parentId());
        }
        return snapshot == null;
    }

    /** An entry as a row of the table, for Iceberg's generic writer. */
    public static Record record(Table table, SuppressionEntry entry) {
        GenericRecord row = GenericRecord.create(table.schema());
        row.setField("tenant_id", entry.getTenantId());
        row.setField("suppression_id", entry.getSuppressionId());
        row.setField("request_id", entry.getRequestId());
        row.setField("type", entry.getType());
        row.setField("id_kind", entry.getIdKind());
        row.setField("source", entry.getSource());
        row.setField(
                "requested_at",
                Instant.ofEpochMilli(entry.getRequestedAt()).atOffset(ZoneOffset.UTC));
        return row;
    }

    /** An entry as a row for Iceberg's Flink sink. */
    public static RowData row(SuppressionEntry entry) {
        return LAYOUT.newRow()
                .string("tenant_id", entry.getTenantId())
                .string("suppression_id", entry.getSuppressionId())
                .string("request_id", entry.getRequestId())
                .string("type", entry.getType())
                .string("id_kind", entry.getIdKind())
                .string("source", entry.getSource())
                .timestamp("requested_at", entry.getRequestedAt())
                .build();
    }
}
