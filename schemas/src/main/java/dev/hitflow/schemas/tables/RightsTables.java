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
