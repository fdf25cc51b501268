package dev.hitflow.jobs.maintain;

import dev.hitflow.jobs.aggregate.AggregateCounter;
import dev.hitflow.jobs.aggregate.HllSketches;
import dev.hitflow.jobs.aggregate.TrinoSketches;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Merges the additive rows of an aggregate table's settled (tenant, day) partitions into one row
 * per key: counts summed, revenue summed per currency, both visitor sketches unioned. Written with
 * Iceberg's rewrite commit (the partition's files out, the merged file in), validated from the
 * snapshot the rows were read at: a concurrent commit that removed one of those files fails it, and
 * files appended meanwhile are not among those it replaces, so they stay.
 *
 * <p>Which columns are what follows from their types, so every aggregate table is handled alike:
 * longs are counts, maps are revenue, {@code visitors} and {@code visitors_trino} are sketches,
 * every other column (tenant, site, day, hour, time zone, dimensions) is the key.
 */
public final class AggregateMerge {
    private AggregateMerge() {}

    /** What merging one partition does: its rows and files before, its rows after. */
    public record Plan(
            Table table,
            LocalDate day,
            long snapshotId,
            List<DataFile> files,
            int rowsBefore,
            List<Record> merged,
            StructLike partition) {
        public boolean changes() {
            return merged.size() < rowsBefore;
        }
    }

    /**
     * The last day of a tenant that can no longer change in the normal course of the stream: its
     * rows are emitted once the watermark passes the day's end in the tenant's zone plus {@link
     * AggregateCounter#SETTLE}, and the watermark trails the newest hit by the stream's
     * out-of-orderness. Later, very late hits still add delta rows; the next run merges them.
     */
    public static LocalDate lastSettledDay(ZoneId zone, Instant now, Duration outOfOrderness) {
        Instant settledEnd = now.minusMillis(AggregateCounter.SETTLE).minus(outOfOrderness);
        // the day whose end (next local midnight) is at or before settledEnd
        return settledEnd.atZone(zone).toLocalDate().minusDays(1);
    }

    /** Prefix of the data files a merge writes. */
    static final String FILE_PREFIX = "merged-";

    /**
     * The days of a tenant in the table up to lastDay that may need a merge: every day but those
     * whose only file is one a merge wrote (already one row per key; checked without reading).
     */
    public static List<LocalDate> candidateDays(Table table, String tenant, LocalDate lastDay) {
        table.refresh();
        if (table.currentSnapshot() == null) {
            return List.of();
        }
        Map<LocalDate, List<DataFile>> files = new TreeMap<>();
        int dayPos = position(table);
        try (CloseableIterable<FileScanTask> tasks =
                table.newScan()
                        .filter(
                                Expressions.and(
                                        Expressions.equal("tenant_id", tenant),
                                        Expressions.lessThanOrEqual("day", lastDay.toString())))
                        .planFiles()) {
            for (FileScanTask task : tasks) {
                LocalDate day =
                        LocalDate.ofEpochDay(task.file().partition().get(dayPos, Integer.class));
                files.computeIfAbsent(day, d -> new ArrayList<>()).add(task.file());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<LocalDate> days = new ArrayList<>();
        files.forEach(
                (day, list) -> {
                    if (list.size() > 1 || !isMerged(list.get(0))) {
                        days.add(day);
                    }
                });
        return days;
    }

    private static boolean isMerged(DataFile file) {
        String location = file.location();
        return location.substring(location.lastIndexOf('/') + 1).startsWith(FILE_PREFIX);
    }

    /** Reads one (tenant, day) partition and merges its rows in memory; nothing is written. */
    public static Plan plan(Table table, String tenant, LocalDate day) {
        table.refresh();
        long snapshotId = table.currentSnapshot().snapshotId();
        List<DataFile> files = new ArrayList<>();
        Map<List<Object>, Record> merged = new LinkedHashMap<>();
        int rows = 0;
        StructLike partition = null;
        try (CloseableIterable<FileScanTask> tasks =
                table.newScan()
                        .useSnapshot(snapshotId)
                        .filter(
                                Expressions.and(
                                        Expressions.equal("tenant_id", tenant),
                                        Expressions.equal("day", day.toString())))
                        .planFiles()) {
            for (FileScanTask task : tasks) {
                files.add(task.file());
                partition = task.file().partition();
                for (Record row : IcebergFiles.read(table, task.file())) {
                    rows++;
                    merged.merge(key(row), row, AggregateMerge::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Plan(
                table, day, snapshotId, files, rows, new ArrayList<>(merged.values()), partition);
    }

    /**
     * Replaces the partition's files by one file of the merged rows, in one rewrite commit
     * validated from the snapshot the plan read. Returns the file names it removed from the table.
     */
    public static List<String> commit(Plan plan) {
        Table table = plan.table();
        DataFile written = IcebergFiles.write(table, plan.partition(), plan.merged(), FILE_PREFIX);
        RewriteFiles rewrite =
                FlinkCommitMarkers.carry(table.newRewrite(), FlinkCommitMarkers.of(table))
                        .validateFromSnapshot(plan.snapshotId());
        plan.files().forEach(rewrite::deleteFile);
        rewrite.addFile(written);
        rewrite.commit();
        return plan.files().stream().map(f -> TableMaintenance.normalize(f.location())).toList();
    }

    private static int position(Table table) {
        var fields = table.spec().fields();
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals("day")) {
                return i;
            }
        }
        throw new IllegalStateException(table.name() + " is not partitioned by day");
    }

    /** The row's key: every column that is not a count, a revenue map or a sketch. */
    static List<Object> key(Record row) {
        List<Object> key = new ArrayList<>();
        for (Types.NestedField f : row.struct().fields()) {
            if (!isMeasure(f)) {
                key.add(row.getField(f.name()));
            }
        }
        return key;
    }

    private static boolean isMeasure(Types.NestedField f) {
        Type.TypeID type = f.type().typeId();
        return type == Type.TypeID.LONG || type == Type.TypeID.MAP || type == Type.TypeID.BINARY;
    }

    /** The sum of two rows of one key (a new record; neither is changed). */
    static Record add(Record a, Record b) {
        GenericRecord sum = GenericRecord.create(a.struct());
        for (Types.NestedField f : a.struct().fields()) {
            String name = f.name();
            Object x = a.getField(name);
            Object y = b.getField(name);
            Object value;
            switch (f.type().typeId()) {
                case LONG -> value = x == null ? y : y == null ? x : (Long) x + (Long) y;
                case MAP -> value = sumMaps(x, y);
                case BINARY -> value = unionSketches(name, (ByteBuffer) x, (ByteBuffer) y);
                default -> value = x;
            }
            sum.setField(name, value);
        }
        return sum;
    }

    @SuppressWarnings("unchecked")
    private static Object sumMaps(Object x, Object y) {
        if (x == null || y == null) {
            return x == null ? y : x;
        }
        Map<Object, Long> out = new TreeMap<>((Map<Object, Long>) x);
        ((Map<Object, Long>) y).forEach((k, v) -> out.merge(k, v, Long::sum));
        return out;
    }

    /** The union of two stored sketches, by the stream's own merge of each kind. */
    private static ByteBuffer unionSketches(String column, ByteBuffer x, ByteBuffer y) {
        if (x == null || y == null) {
            return x == null ? y : x;
        }
        return column.equals("visitors_trino")
                ? TrinoSketches.merge(x, y, null)
                : HllSketches.merge(x, y, null);
    }
}
