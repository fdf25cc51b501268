package dev.hitflow.schemas.tables;

import java.util.List;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;

/**
 * The Iceberg tables Hitflow writes, in one place: their names, schemas and partition specs. Column
 * names are the BI contract (snake_case, times as timestamptz in UTC, {@code day} in the tenant's
 * zone). Every table is partitioned by identity(tenant_id) and identity(day) so that retention and
 * erasure touch whole partitions.
 */
public final class HitflowTables {
    public static final Namespace NAMESPACE = Namespace.of("analytics");

    public static final TableIdentifier HITS = TableIdentifier.of(NAMESPACE, "hits");
    public static final TableIdentifier SESSIONS = TableIdentifier.of(NAMESPACE, "sessions");
    public static final TableIdentifier PAGE_TRANSITIONS =
            TableIdentifier.of(NAMESPACE, "page_transitions");

    public static final Schema HITS_SCHEMA = hitsSchema();
    public static final Schema SESSIONS_SCHEMA = sessionsSchema();
    public static final Schema PAGE_TRANSITIONS_SCHEMA = pageTransitionsSchema();

    private HitflowTables() {}

    /** A table Hitflow writes: identifier, schema and partition spec together. */
    public record TableDef(TableIdentifier id, Schema schema, PartitionSpec spec, boolean detail) {}

    public static final TableDef HITS_TABLE =
            new TableDef(HITS, HITS_SCHEMA, tenantDay(HITS_SCHEMA), true);
    public static final TableDef SESSIONS_TABLE =
            new TableDef(SESSIONS, SESSIONS_SCHEMA, tenantDay(SESSIONS_SCHEMA), true);

    public static final TableDef PAGE_TRANSITIONS_TABLE =
            new TableDef(
                    PAGE_TRANSITIONS,
                    PAGE_TRANSITIONS_SCHEMA,
                    tenantDay(PAGE_TRANSITIONS_SCHEMA),
                    false);

    /** Every table, detail tables first. */
    public static List<TableDef> all() {
        List<TableDef> all = new java.util.ArrayList<>();
        all.add(HITS_TABLE);
        all.add(SESSIONS_TABLE);
        all.add(PAGE_TRANSITIONS_TABLE);
        all.addAll(AggregateTables.all());
        return List.copyOf(all);
    }

    /** identity(tenant_id), identity(day): the partitioning every Hitflow table shares. */
    public static PartitionSpec tenantDay(Schema schema) {
        return PartitionSpec.builderFor(schema).identity("tenant_id").identity("day").build();
    }

    private static Schema hitsSchema() {
        ColumnsBuilder c = new ColumnsBuilder();
        c.required("tenant_id", Types.StringType.get())
                .required("site_id", Types.StringType.get())
                .required("hit_id", Types.StringType.get())
                .required("received_at", Types.TimestampType.withZone())
                .required("day", Types.DateType.get())
                .required("hit_type", Types.StringType.get())
                .optional("visitor_id", Types.StringType.get())
                .optional("key_version", Types.StringType.get())
                .optional("id_kind", Types.StringType.get())
                .required("consent", Types.StringType.get())
                .optional("session_id", Types.StringType.get())
                .required("late", Types.BooleanType.get())
                .optional("page", Types.StringType.get())
                .optional("url", Types.StringType.get())
                .optional("referrer_host", Types.StringType.get())
                .optional("source_class", Types.StringType.get())
                .optional("campaign_source", Types.StringType.get())
                .optional("campaign_medium", Types.StringType.get())
                .optional("campaign_name", Types.StringType.get())
                .optional("campaign_term", Types.StringType.get())
                .optional("campaign_content", Types.StringType.get())
                .optional("country", Types.StringType.get())
                .optional("region", Types.StringType.get())
                .optional("city", Types.StringType.get())
                .optional("device_class", Types.StringType.get())
                .optional("os_name", Types.StringType.get())
                .optional("os_version", Types.StringType.get())
                .optional("agent_name", Types.StringType.get())
                .optional("agent_version", Types.StringType.get())
                .required("is_bot", Types.BooleanType.get())
                // the hit went into the visitor sketches of the aggregates
                .required("counted_as_visitor", Types.BooleanType.get())
                .optional("geo_cell", Types.StringType.get())
                .optional("event_category", Types.StringType.get())
                .optional("event_action", Types.StringType.get())
                .optional("event_label", Types.StringType.get())
                .optional("event_value", Types.DoubleType.get())
                .optional("cart_action", Types.StringType.get())
                .optional("cart_product_id", Types.StringType.get())
                .optional("cart_quantity", Types.IntegerType.get())
                .optional("cart_price_minor", Types.LongType.get())
                .optional("cart_currency", Types.StringType.get())
                .optional("cart_order_id", Types.StringType.get());
        c.optional("properties", c.stringMap());
        c.optional("form", c.stringMap());
        return c.build();
    }

    private static Schema pageTransitionsSchema() {
        return new ColumnsBuilder()
                .required("tenant_id", Types.StringType.get())
                .required("site_id", Types.StringType.get())
                .required("day", Types.DateType.get())
                .required("time_zone", Types.StringType.get())
                .required("from_page", Types.StringType.get())
                .required("to_page", Types.StringType.get())
                .required("transitions", Types.LongType.get())
                .build();
    }

    private static Schema sessionsSchema() {
        ColumnsBuilder c = new ColumnsBuilder();
        c.required("tenant_id", Types.StringType.get())
                .required("site_id", Types.StringType.get())
                .required("session_id", Types.StringType.get())
                .required("visitor_id", Types.StringType.get())
                .optional("key_version", Types.StringType.get())
                .required("day", Types.DateType.get())
                .required("started_at", Types.TimestampType.withZone())
                .required("ended_at", Types.TimestampType.withZone())
                .required("duration_ms", Types.LongType.get())
                .required("hits", Types.IntegerType.get())
                .required("page_views", Types.IntegerType.get());
        c.optional("path", c.list(Types.StringType.get()));
        c.optional("entry_page", Types.StringType.get())
                .optional("exit_page", Types.StringType.get());
        c.optional("time_on_page_ms", c.list(Types.LongType.get()));
        c.required("bounce", Types.BooleanType.get())
                .required("events", Types.IntegerType.get())
                .required("cart_adds", Types.IntegerType.get())
                .required("purchases", Types.IntegerType.get());
        c.optional("revenue", c.longMap());
        c.optional("country", Types.StringType.get())
                .optional("region", Types.StringType.get())
                .optional("city", Types.StringType.get())
                .optional("device_class", Types.StringType.get())
                .optional("os_name", Types.StringType.get())
                .optional("agent_name", Types.StringType.get())
                .optional("source_class", Types.StringType.get())
                .optional("referrer_host", Types.StringType.get())
                .optional("campaign_source", Types.StringType.get())
                .optional("campaign_medium", Types.StringType.get())
                .optional("campaign_name", Types.StringType.get())
                .optional("campaign_term", Types.StringType.get())
                .optional("campaign_content", Types.StringType.get());
        return c.build();
    }
}
