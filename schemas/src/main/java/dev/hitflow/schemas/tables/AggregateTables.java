package dev.hitflow.schemas.tables;

import dev.hitflow.schemas.tables.HitflowTables.TableDef;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;

/**
 * The aggregate tables: additive rows per tenant, site and day (and hour) in the tenant's time
 * zone, with unique visitors as sketches that any range of days can union, long after the detail
 * rows are gone: {@code visitors} as DataSketches HLL (lgK 12, HLL_8, compact bytes; Spark) and
 * {@code visitors_trino} as Trino's HyperLogLog (Airlift's format, 4096 buckets; Trino, Presto),
 * both over the same visitors.
 */
public final class AggregateTables {
    public static final String TRAFFIC_HOURLY = "traffic_hourly";
    public static final String TRAFFIC_DAILY = "traffic_daily";
    public static final String GEO_DAILY = "geo_daily";
    public static final String DEVICES_DAILY = "devices_daily";
    public static final String SOURCES_DAILY = "sources_daily";

    /** Dimension columns of each table, in order (the AggregateDelta dims). */
    public static final List<String> GEO_DIMS = List.of("country", "region", "city");

    public static final List<String> DEVICE_DIMS = List.of("device_class", "os_name", "agent_name");
    public static final List<String> SOURCE_DIMS =
            List.of(
                    "source_class",
                    "referrer_host",
                    "campaign_source",
                    "campaign_medium",
                    "campaign_name");

    public static final TableDef TRAFFIC_HOURLY_TABLE = traffic(TRAFFIC_HOURLY, true);
    public static final TableDef TRAFFIC_DAILY_TABLE = traffic(TRAFFIC_DAILY, false);
    public static final TableDef GEO_DAILY_TABLE = dimensional(GEO_DAILY, GEO_DIMS);
    public static final TableDef DEVICES_DAILY_TABLE = dimensional(DEVICES_DAILY, DEVICE_DIMS);
    public static final TableDef SOURCES_DAILY_TABLE = dimensional(SOURCES_DAILY, SOURCE_DIMS);

    private AggregateTables() {}

    public static List<TableDef> all() {
        return List.of(
                TRAFFIC_HOURLY_TABLE,
                TRAFFIC_DAILY_TABLE,
                GEO_DAILY_TABLE,
                DEVICES_DAILY_TABLE,
                SOURCES_DAILY_TABLE);
    }

    /** The dimension columns of an aggregate table (empty for traffic tables). */
    public static List<String> dims(String table) {
        return switch (table) {
            case GEO_DAILY -> GEO_DIMS;
            case DEVICES_DAILY -> DEVICE_DIMS;
            case SOURCES_DAILY -> SOURCE_DIMS;
            default -> List.of();
        };
    }

    private static ColumnsBuilder head(boolean hourly) {
        ColumnsBuilder c =
                new ColumnsBuilder()
                        .required("tenant_id", Types.StringType.get())
                        .required("site_id", Types.StringType.get())
                        .required("day", Types.DateType.get());
        if (hourly) {
            c.required("hour", Types.IntegerType.get());
        }
        return c.required("time_zone", Types.StringType.get());
    }

    private static TableDef traffic(String name, boolean hourly) {
        ColumnsBuilder c =
                head(hourly)
                        .required("hits", Types.LongType.get())
                        .required("page_views", Types.LongType.get())
                        .required("sessions", Types.LongType.get())
                        .required("bounces", Types.LongType.get())
                        .required("session_duration_ms", Types.LongType.get())
                        .required("events", Types.LongType.get())
                        .required("cart_adds", Types.LongType.get())
                        .required("purchases", Types.LongType.get());
        c.optional("revenue", c.longMap());
        c.optional("visitors", Types.BinaryType.get());
        c.optional("visitors_trino", Types.BinaryType.get());
        // Optional and last: HitflowCatalog adds it to a table made before it existed.
        c.optional("capped_hits", Types.LongType.get());
        return def(name, c.build());
    }

    private static TableDef dimensional(String name, List<String> dims) {
        ColumnsBuilder c = head(false);
        for (String dim : dims) {
            c.optional(dim, Types.StringType.get());
        }
        c.required("hits", Types.LongType.get())
                .required("page_views", Types.LongType.get())
                .required("sessions", Types.LongType.get())
                .optional("visitors", Types.BinaryType.get())
                .optional("visitors_trino", Types.BinaryType.get());
        return def(name, c.build());
    }

    private static TableDef def(String name, Schema schema) {
        return new TableDef(
                TableIdentifier.of(HitflowTables.NAMESPACE, name),
                schema,
                HitflowTables.tenantDay(schema),
                false);
    }
}
