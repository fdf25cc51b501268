package dev.hitflow.schemas.tables;

import dev.hitflow.schemas.tables.HitflowTables.TableDef;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;

/**
 * The audit of data-subject requests: what was asked and done, under pseudonymous visitor IDs.
 * Never the raw identifier.
 */
public final class RightsTables {
    public static final TableIdentifier RIGHTS_REQUESTS =
            TableIdentifier.of(HitflowTables.NAMESPACE, "rights_requests");

    public static final Schema RIGHTS_REQUESTS_SCHEMA = schema();

    public static final TableDef RIGHTS_REQUESTS_TABLE =
            new TableDef(
                    RIGHTS_REQUESTS,
                    RIGHTS_REQUESTS_SCHEMA,
                    PartitionSpec.builderFor(RIGHTS_REQUESTS_SCHEMA)
                            .identity("tenant_id")
                            .identity("day")
                            .build(),
                    false);

    /**
     * Requests the stream job took from {@code rights.requests}, for the maintenance run: one row
     * per request and live key version, under the visitor ID that version gives (the raw identifier
     * never reaches a table). A request is pending while its request_id is not in {@code
     * rights_requests}.
     */
    public static final TableIdentifier RIGHTS_QUEUE =
            TableIdentifier.of(HitflowTables.NAMESPACE, "rights_queue");

    public static final Schema RIGHTS_QUEUE_SCHEMA =
            new ColumnsBuilder()
                    .required("tenant_id", Types.StringType.get())
                    .required("day", Types.DateType.get())
                    .required("request_id", Types.StringType.get())
                    .required("type", Types.StringType.get())
                    .required("id_kind", Types.StringType.get())
                    .required("key_version", Types.StringType.get())
                    .required("visitor_id", Types.StringType.get())
                    .required("requested_at", Types.TimestampType.withZone())
                    .build();

    public static final TableDef RIGHTS_QUEUE_TABLE =
            new TableDef(
                    RIGHTS_QUEUE,
                    RIGHTS_QUEUE_SCHEMA,
                    HitflowTables.tenantDay(RIGHTS_QUEUE_SCHEMA),
                    false);

    /**
     * The durable opt-out registry: one row per opt-out or erasure, from every door (the stream's
     * {@code rights.requests}, {@code hitflow rights}, maintenance request files), under the
     * tenant's suppression ID: HMAC-SHA-256 of the identifier under the tenant's suppression key,
     * which never rotates. Every job loads it at start and follows it; no raw identifier and no
     * visitor ID is kept here.
     */
    public static final TableIdentifier SUPPRESSIONS =
            TableIdentifier.of(HitflowTables.NAMESPACE, "suppressions");

    public static final Schema SUPPRESSIONS_SCHEMA =
            new ColumnsBuilder()
                    .required("tenant_id", Types.StringType.get())
                    .required("suppression_id", Types.StringType.get())
                    .required("request_id", Types.StringType.get())
                    .required("type", Types.StringType.get())
                    .required("id_kind", Types.StringType.get())
                    .required("source", Types.StringType.get())
                    .required("requested_at", Types.TimestampType.withZone())
                    .build();

    public static final TableDef SUPPRESSIONS_TABLE =
            new TableDef(
                    SUPPRESSIONS,
                    SUPPRESSIONS_SCHEMA,
                    PartitionSpec.builderFor(SUPPRESSIONS_SCHEMA).identity("tenant_id").build(),
                    false);

    private RightsTables() {}

    private static Schema schema() {
        ColumnsBuilder c =
                new ColumnsBuilder()
                        .required("tenant_id", Types.StringType.get())
                        .required("day", Types.DateType.get())
                        .required("request_id", Types.StringType.get())
                        .required("type", Types.StringType.get())
                        .required("id_kind", Types.StringType.get());
        c.optional("visitor_ids", c.list(Types.StringType.get()));
        c.optional("key_versions", c.list(Types.StringType.get()));
        c.required("status", Types.StringType.get())
                .required("rows_affected", Types.LongType.get())
                .required("completed_at", Types.TimestampType.withZone());
        return c.build();
    }
}
