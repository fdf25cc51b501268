package dev.hitflow.jobs.maintain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.schemas.tables.RightsTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Removes a tenant that left: every partition of it from every table of {@code analytics} (the
 * rights tables and suppressions included), then expires snapshots and deletes the removed files
 * and any other file under a {@code tenant_id=<tenant>} folder, so no byte of it is left in
 * storage; its local dead letters go too. It refuses while the tenant is in the live config: a
 * stream job would go on writing it.
 *
 * <p>The audit row goes to {@code rights_requests} under the deployment's own tenant ID {@link
 * #AUDIT_TENANT} (no tenant can have it: tenant IDs start with a letter or digit), since a row
 * under the purged tenant would leave a file in the very folder the purge empties.
 */
public final class TenantPurge {
    /** The tenant ID of the deployment's own audit rows. */
    public static final String AUDIT_TENANT = "_platform";

    /** The audit row's request type. */
    public static final String AUDIT_TYPE = "TENANT_PURGE";

    /** What the purge found in one table (and removed unless dry run). */
    public record TableResult(
            String table,
            Set<String> partitions,
            int files,
            long bytes,
            long rows,
            int filesOnDisk) {}

    /** What the purge found in the local dead letters. */
    public record DeadLetterResult(int files, long lines) {}

    /** All of it. */
    public record Result(List<TableResult> tables, DeadLetterResult deadLetters) {
        public long rows() {
            return tables.stream().mapToLong(TableResult::rows).sum();
        }
    }

    private TenantPurge() {}

    /** A {@link ConfigException} while {@code tenant} is still configured. */
    public static void requireRemoved(TenantRegistry live, String tenant, String configName) {
        if (live.tenant(tenant).isPresent()) {
            throw new ConfigException(
                    "tenant '"
                            + tenant
                            + "' is still in the tenant config "
                            + configName
                            + ": remove it there (and send a tombstone to the config topic) before"
                            + " purging it");
        }
    }

    /**
     * Purges {@code tenant}; {@code deadLetters} is the local dead-letter folder (or null); with
     * {@code dryRun} it only reports.
     */
    public static Result purge(
            Catalog catalog,
            String tenant,
            Path deadLetters,
            boolean dryRun,
            Duration orphanMinAge,
            Instant now) {
        List<TableResult> results = new ArrayList<>();
        for (TableIdentifier id : TenantExport.tables(catalog)) {
            results.add(purgeTable(catalog.loadTable(id), tenant, dryRun, orphanMinAge));
        }
        DeadLetterResult dead = purgeDeadLetters(deadLetters, tenant, dryRun);
        Result result = new Result(results, dead);
        if (!dryRun) {
            audit(catalog, tenant, result.rows(), now);
        }
        return result;
    }

    private static TableResult purgeTable(
            Table table, String tenant, boolean dryRun, Duration orphanMinAge) {
        requireTenantPartitioned(table);
        Expression filter = Expressions.equal("tenant_id", tenant);
        Set<String> removed = new HashSet<>();
        Set<String> partitions = new TreeSet<>();
        int files = 0;
        long bytes = 0;
        long rows = 0;
        try (CloseableIterable<FileScanTask> tasks = table.newScan().filter(filter).planFiles()) {
            for (FileScanTask task : tasks) {
                DataFile file = task.file();
                removed.add(TableMaintenance.normalize(file.location()));
                partitions.add(table.spec().partitionToPath(file.partition()));
                files++;
                bytes += file.fileSizeInBytes();
                rows += file.recordCount();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Files of the tenant no snapshot knows (a failed write, an older expired one) go too.
        List<String> onDisk = filesUnderTenantFolders(table, tenant);
        removed.addAll(onDisk);
        if (!dryRun) {
            if (files > 0) {
                FlinkCommitMarkers.carry(table.newDelete(), FlinkCommitMarkers.of(table))
                        .deleteFromRowFilter(filter)
                        .commit();
            }
            TableMaintenance.expireAndRemoveOrphans(table, orphanMinAge, removed);
            deleteEmptyTenantFolders(table, tenant);
        }
        return new TableResult(table.name(), partitions, files, bytes, rows, onDisk.size());
    }

    private static void requireTenantPartitioned(Table table) {
        for (PartitionField field : table.spec().fields()) {
            if (field.name().equals("tenant_id") && field.transform().isIdentity()) {
                return;
            }
        }
        throw new IllegalStateException(
                table.name() + " is not partitioned by tenant_id: a purge cannot drop whole files");
    }

    private static String tenantFolder(String tenant) {
        return "/tenant_id=" + tenant + "/";
    }

    private static List<String> filesUnderTenantFolders(Table table, String tenant) {
        List<String> out = new ArrayList<>();
        org.apache.hadoop.fs.Path data = new org.apache.hadoop.fs.Path(table.location() + "/data");
        try {
            FileSystem fs = data.getFileSystem(new Configuration());
            if (!fs.exists(data)) {
                return out;
            }
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(data, true);
            while (it.hasNext()) {
                String path = TableMaintenance.normalize(it.next().getPath().toString());
                if (path.contains(tenantFolder(tenant))) {
                    out.add(path);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static void deleteEmptyTenantFolders(Table table, String tenant) {
        org.apache.hadoop.fs.Path data = new org.apache.hadoop.fs.Path(table.location() + "/data");
        try {
            FileSystem fs = data.getFileSystem(new Configuration());
            org.apache.hadoop.fs.Path folder =
                    new org.apache.hadoop.fs.Path(data, "tenant_id=" + tenant);
            if (fs.exists(folder) && !fs.listFiles(folder, true).hasNext()) {
                fs.delete(folder, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Drops the tenant's lines from every dead-letter file; a file left empty is deleted. */
    static DeadLetterResult purgeDeadLetters(Path folder, String tenant, boolean dryRun) {
        if (folder == null || !Files.isDirectory(folder)) {
            return new DeadLetterResult(0, 0);
        }
        ObjectMapper json = new ObjectMapper();
        int files = 0;
        long lines = 0;
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                List<String> kept = new ArrayList<>();
                long dropped = 0;
                for (String line : Files.readAllLines(file)) {
                    if (tenant.equals(tenantOf(json, line))) {
                        dropped++;
                    } else {
                        kept.add(line);
                    }
                }
                if (dropped == 0) {
                    continue;
                }
                files++;
                lines += dropped;
                if (dryRun) {
                    continue;
                }
                if (kept.isEmpty()) {
                    Files.delete(file);
                } else {
                    Path next = file.resolveSibling(file.getFileName() + ".purging");
                    Files.write(next, kept);
                    Files.move(
                            next,
                            file,
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
            }
            if (!dryRun) {
                deleteEmptyFolders(folder);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DeadLetterResult(files, lines);
    }

    private static String tenantOf(ObjectMapper json, String line) {
        try {
            JsonNode node = json.readTree(line);
            JsonNode tenant = node == null ? null : node.get("tenant_id");
            return tenant == null || tenant.isNull() ? null : tenant.asText();
        } catch (IOException e) {
            return null; // not a dead-letter line: left as it is
        }
    }

    private static void deleteEmptyFolders(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path dir :
                    walk.filter(Files::isDirectory)
                            .sorted(Comparator.reverseOrder())
                            .filter(d -> !d.equals(root))
                            .toList()) {
                try (Stream<Path> entries = Files.list(dir)) {
                    if (entries.findAny().isEmpty()) {
                        Files.delete(dir);
                    }
                }
            }
        }
    }

    private static void audit(Catalog catalog, String tenant, long rows, Instant now) {
        Table table =
                catalog.tableExists(RightsTables.RIGHTS_REQUESTS)
                        ? catalog.loadTable(RightsTables.RIGHTS_REQUESTS)
                        : HitflowCatalog.createTable(catalog, RightsTables.RIGHTS_REQUESTS_TABLE);
        GenericRecord row = GenericRecord.create(table.schema());
        row.setField("tenant_id", AUDIT_TENANT);
        row.setField("day", now.atZone(ZoneOffset.UTC).toLocalDate());
        row.setField("request_id", "tenant-purge:" + tenant + ":" + now);
        row.setField("type", AUDIT_TYPE);
        row.setField("id_kind", "TENANT");
        row.setField("status", "DONE");
        row.setField("rows_affected", rows);
        row.setField("completed_at", now.atOffset(ZoneOffset.UTC));
        IcebergFiles.append(table, List.of(row));
    }
}
