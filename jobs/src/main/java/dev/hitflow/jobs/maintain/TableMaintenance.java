package dev.hitflow.jobs.maintain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * What the scheduled run does to one table with Iceberg's own operations: delete expired
 * partitions, rewrite the files holding erased visitors, expire snapshots (which deletes the files
 * only they referenced), and remove orphan data files, so that bytes are gone from storage and not
 * only hidden. Every commit carries the Flink sink's markers forward.
 */
public final class TableMaintenance {
    private TableMaintenance() {}

    /** What a retention step found (and deleted unless dry run). */
    public record RetentionResult(
            String table,
            String tenant,
            LocalDate firstKeptDay,
            Set<LocalDate> days,
            int files,
            long bytes,
            long rows) {}

    public static Expression expired(String tenant, LocalDate firstKeptDay) {
        return Expressions.and(
                Expressions.equal("tenant_id", tenant),
                Expressions.lessThan("day", firstKeptDay.toString()));
    }

    public static RetentionResult retention(
            Table table,
            String tenant,
            LocalDate firstKeptDay,
            boolean dryRun,
            Set<String> removedFiles) {
        Expression filter = expired(tenant, firstKeptDay);
        Set<LocalDate> days = new TreeSet<>();
        int files = 0;
        long bytes = 0;
        long rows = 0;
        int dayPos = positionOf(table, "day");
        try (CloseableIterable<FileScanTask> tasks = table.newScan().filter(filter).planFiles()) {
            for (FileScanTask task : tasks) {
                DataFile file = task.file();
                removedFiles.add(normalize(file.location()));
                files++;
                bytes += file.fileSizeInBytes();
                rows += file.recordCount();
                days.add(LocalDate.ofEpochDay(file.partition().get(dayPos, Integer.class)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!dryRun && files > 0) {
            FlinkCommitMarkers.carry(table.newDelete(), FlinkCommitMarkers.of(table))
                    .deleteFromRowFilter(filter)
                    .commit();
        }
        return new RetentionResult(table.name(), tenant, firstKeptDay, days, files, bytes, rows);
    }

    private static int positionOf(Table table, String partitionField) {
        var fields = table.spec().fields();
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(partitionField)) {
                return i;
            }
        }
        throw new IllegalStateException(table.name() + " is not partitioned by " + partitionField);
    }

    /**
     * Rewrites every data file of the tenant holding a row of those visitors without those rows, in
     * one commit that fails if another commit changed those files meanwhile. Returns the rows
     * removed.
     */
    public static long erase(
            Table table,
            String tenant,
            Set<String> visitorIds,
            boolean dryRun,
            Set<String> removedFiles) {
        if (visitorIds.isEmpty() || table.currentSnapshot() == null) {
            return 0;
        }
        Expression filter =
                Expressions.and(
                        Expressions.equal("tenant_id", tenant),
                        Expressions.in("visitor_id", visitorIds.toArray()));
        long snapshotId = table.currentSnapshot().snapshotId();
        Set<DataFile> replaced = new HashSet<>();
        Set<DataFile> written = new HashSet<>();
        long removed = 0;
        try (CloseableIterable<FileScanTask> tasks = table.newScan().filter(filter).planFiles()) {
            for (FileScanTask task : tasks) {
                DataFile file = task.file();
                List<Record> keep = new ArrayList<>();
                long dropped = 0;
                for (Record row : IcebergFiles.read(table, file)) {
                    if (visitorIds.contains((String) row.getField("visitor_id"))) {
                        dropped++;
                    } else {
                        keep.add(row);
                    }
                }
                if (dropped == 0) {
                    continue; // the column bounds matched, no row did
                }
                removed += dropped;
                replaced.add(file);
                if (!dryRun && !keep.isEmpty()) {
                    written.add(IcebergFiles.write(table, file.partition(), keep));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!dryRun && !replaced.isEmpty()) {
            RewriteFiles rewrite =
                    FlinkCommitMarkers.carry(table.newRewrite(), FlinkCommitMarkers.of(table))
                            .validateFromSnapshot(snapshotId);
            replaced.forEach(rewrite::deleteFile);
            written.forEach(rewrite::addFile);
            rewrite.commit();
            replaced.forEach(f -> removedFiles.add(normalize(f.location())));
        }
        return removed;
    }

    /** Rows of those visitors, for an access request. */
    public static List<Record> rowsOf(Table table, String tenant, Set<String> visitorIds) {
        List<Record> rows = new ArrayList<>();
        if (visitorIds.isEmpty()) {
            return rows;
        }
        try (CloseableIterable<Record> it =
                org.apache.iceberg.data.IcebergGenerics.read(table)
                        .where(
                                Expressions.and(
                                        Expressions.equal("tenant_id", tenant),
                                        Expressions.in("visitor_id", visitorIds.toArray())))
                        .build()) {
            for (Record r : it) {
                if (visitorIds.contains((String) r.getField("visitor_id"))) {
                    rows.add(r.copy());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    /** Target size of compacted data files. */
    public static final long TARGET_FILE_BYTES = 128L * 1024 * 1024;

    /** What compaction rewrote: files in, files out. */
    public record CompactionResult(int filesRewritten, int filesWritten) {}

    /**
     * Merges the small files streaming commits leave (one or more per checkpoint and partition)
     * into files of up to {@link #TARGET_FILE_BYTES}, with Iceberg's own Flink rewrite action.
     */
    public static CompactionResult compact(Table table, Set<String> removedFiles) {
        table.refresh();
        if (table.currentSnapshot() == null) {
            return new CompactionResult(0, 0);
        }
        org.apache.iceberg.flink.actions.RewriteDataFilesAction action =
                org.apache.iceberg.flink.actions.Actions.forTable(table)
                        .rewriteDataFiles()
                        .maxParallelism(2);
        action.targetSizeInBytes(TARGET_FILE_BYTES);
        FlinkCommitMarkers.of(table).forEach(action::set);
        var result = action.execute();
        result.deletedDataFiles().forEach(f -> removedFiles.add(normalize(f.location())));
        return new CompactionResult(
                result.deletedDataFiles().size(), result.addedDataFiles().size());
    }

    /** What expiry and orphan removal deleted. */
    public record CleanupResult(int snapshotsExpired, int orphansDeleted) {}

    /**
     * Expires every snapshot but the current one, then deletes the data files under the table's
     * data folder that no remaining snapshot references: at once those this run removed from the
     * table ({@code removedFiles}: Iceberg's incremental expiry keeps a file until the snapshot
     * that removed it expires, which would leave erased bytes on disk until the next run), others
     * only when older than {@code orphanMinAge} (younger ones may belong to a commit in flight).
     */
    public static CleanupResult expireAndRemoveOrphans(
            Table table, Duration orphanMinAge, Set<String> removedFiles) {
        // Wall-clock time, not the run's logical --now: snapshots and files are dated by it.
        Instant now = Instant.now();
        table.refresh();
        if (table.currentSnapshot() == null) {
            return new CleanupResult(0, 0);
        }
        int before = size(table.snapshots());
        table.expireSnapshots()
                .expireOlderThan(now.toEpochMilli() + 1)
                .retainLast(1)
                .cleanExpiredFiles(true)
                .commit();
        table.refresh();
        int expired = before - size(table.snapshots());

        Set<String> referenced = new HashSet<>();
        for (Snapshot snapshot : table.snapshots()) {
            for (ManifestFile manifest : snapshot.allManifests(table.io())) {
                if (manifest.content() == org.apache.iceberg.ManifestContent.DATA) {
                    try (var files = ManifestFiles.read(manifest, table.io())) {
                        for (DataFile f : files) {
                            referenced.add(normalize(f.location()));
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                } else {
                    try (var files =
                            ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs())) {
                        for (DeleteFile f : files) {
                            referenced.add(normalize(f.location()));
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
        int deleted = 0;
        long cutoff = now.toEpochMilli() - orphanMinAge.toMillis();
        Path data = new Path(table.location() + "/data");
        try {
            FileSystem fs = data.getFileSystem(new Configuration());
            if (fs.exists(data)) {
                RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> it =
                        fs.listFiles(data, true);
                List<FileStatus> orphans = new ArrayList<>();
                while (it.hasNext()) {
                    FileStatus status = it.next();
                    String path = normalize(status.getPath().toString());
                    if (!referenced.contains(path)
                            && (removedFiles.contains(path)
                                    || status.getModificationTime() <= cutoff)) {
                        orphans.add(status);
                    }
                }
                for (FileStatus orphan : orphans) {
                    if (fs.delete(orphan.getPath(), false)) {
                        deleted++;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new CleanupResult(expired, deleted);
    }

    private static int size(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }

    /** file:/a, file:///a and /a name the same local file. */
    static String normalize(String location) {
        String s = location;
        if (s.startsWith("file:///")) {
            s = s.substring(7);
        } else if (s.startsWith("file:/")) {
            s = s.substring(5);
        }
        return s;
    }
}
