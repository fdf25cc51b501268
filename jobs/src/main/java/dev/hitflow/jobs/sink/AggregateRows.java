package dev.hitflow.jobs.sink;

import dev.hitflow.schemas.avro.AggregateDelta;
import dev.hitflow.schemas.tables.AggregateTables;
import dev.hitflow.schemas.tables.HitflowTables.TableDef;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.data.RowData;

/** Maps summed aggregate rows onto the layout of their table. */
public final class AggregateRows {
    private static final Map<String, RowLayout> LAYOUTS = new HashMap<>();

    static {
        for (TableDef def : AggregateTables.all()) {
            LAYOUTS.put(def.id().name(), new RowLayout(def.schema()));
        }
    }

    private AggregateRows() {}

    public static RowLayout layout(String table) {
        return LAYOUTS.get(table);
    }

    public static RowData row(AggregateDelta d) {
        String table = d.getTable();
        RowLayout.Row row =
                LAYOUTS.get(table)
                        .newRow()
                        .string("tenant_id", d.getTenantId())
                        .string("site_id", d.getSiteId())
                        .value("day", d.getDay())
                        .string("time_zone", d.getTimeZone())
                        .value("hits", d.getHits())
                        .value("page_views", d.getPageViews())
                        .value("sessions", d.getSessions())
                        .value("visitors", bytes(d.getVisitors()))
                        .value("visitors_trino", bytes(d.getVisitorsTrino()));
        if (table.equals(AggregateTables.TRAFFIC_HOURLY)) {
            row.value("hour", d.getHour());
        }
        if (table.equals(AggregateTables.TRAFFIC_HOURLY)
                || table.equals(AggregateTables.TRAFFIC_DAILY)) {
            row.value("bounces", d.getBounces())
                    .value("session_duration_ms", d.getSessionDurationMs())
                    .value("events", d.getEvents())
                    .value("cart_adds", d.getCartAdds())
                    .value("purchases", d.getPurchases())
                    .value("capped_hits", d.getCappedHits())
                    .longMap("revenue", d.getRevenue());
        }
        List<String> dims = AggregateTables.dims(table);
        for (int i = 0; i < dims.size(); i++) {
            row.string(dims.get(i), d.getDims().get(i));
        }
        return row.build();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
