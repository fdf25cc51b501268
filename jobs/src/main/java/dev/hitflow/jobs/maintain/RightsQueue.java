package dev.hitflow.jobs.maintain;

import dev.hitflow.schemas.tables.RightsTables;
import dev.hitflow.udfs.identity.RightsRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The requests the stream job queued in {@code analytics.rights_queue} that the audit table {@code
 * rights_requests} does not hold yet: the maintenance run's pending work, oldest first.
 */
public final class RightsQueue {
    private RightsQueue() {}

    /** The IDs of every request the audit table holds: answered by an earlier run. */
    public static Set<String> answered(Catalog catalog) {
        Set<String> done = new HashSet<>();
        if (catalog.tableExists(RightsTables.RIGHTS_REQUESTS)) {
            for (Record r : read(catalog.loadTable(RightsTables.RIGHTS_REQUESTS))) {
                done.add((String) r.getField("request_id"));
            }
        }
        return done;
    }

    public static List<PendingRequest> pending(Catalog catalog) {
        if (!catalog.tableExists(RightsTables.RIGHTS_QUEUE)) {
            return List.of();
        }
        Set<String> done = answered(catalog);
        List<Record> rows = read(catalog.loadTable(RightsTables.RIGHTS_QUEUE));
        rows.sort(
                Comparator.comparing((Record r) -> (OffsetDateTime) r.getField("requested_at"))
                        .thenComparing(r -> (String) r.getField("request_id")));
        Map<String, PendingRequest> pending = new LinkedHashMap<>();
        for (Record r : rows) {
            String id = (String) r.getField("request_id");
            if (done.contains(id)) {
                continue;
            }
            PendingRequest seen = pending.get(id);
            Map<String, String> ids =
                    new LinkedHashMap<>(seen == null ? Map.of() : seen.visitorIds());
            ids.put((String) r.getField("key_version"), (String) r.getField("visitor_id"));
            pending.put(
                    id,
                    new PendingRequest(
                            id,
                            (String) r.getField("tenant_id"),
                            RightsRequest.Type.valueOf((String) r.getField("type")),
                            (String) r.getField("id_kind"),
                            ids));
        }
        return new ArrayList<>(pending.values());
    }

    private static List<Record> read(Table table) {
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> it = IcebergGenerics.read(table).build()) {
            it.forEach(r -> rows.add(r.copy()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }
}
