package dev.hitflow.jobs.maintain;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;

/**
 * Iceberg's Flink sink finds its last committed checkpoint in the summary of the newest snapshot of
 * the table's history that carries {@code flink.job-id}; if expiry removed that snapshot, a
 * restoring job would commit its last checkpoint again. Maintenance commits therefore carry the
 * newest such markers forward, so that older snapshots can be expired and their files deleted.
 */
final class FlinkCommitMarkers {
    static final String PREFIX = "flink.";

    private FlinkCommitMarkers() {}

    static Map<String, String> of(Table table) {
        Map<String, String> markers = new LinkedHashMap<>();
        for (Snapshot s = table.currentSnapshot();
                s != null;
                s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
            if (s.summary().containsKey("flink.job-id")) {
                s.summary()
                        .forEach(
                                (k, v) -> {
                                    if (k.startsWith(PREFIX)) {
                                        markers.put(k, v);
                                    }
                                });
                break;
            }
        }
        return markers;
    }

    static <T extends SnapshotUpdate<T>> T carry(T update, Map<String, String> markers) {
        markers.forEach(update::set);
        return update;
    }
}
