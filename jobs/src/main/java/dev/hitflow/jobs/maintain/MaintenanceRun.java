package dev.hitflow.jobs.maintain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hitflow.jobs.sink.SuppressionTable;
import dev.hitflow.schemas.avro.IdKind;
import dev.hitflow.schemas.avro.SuppressionEntry;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantConfig;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.schemas.tables.AggregateTables;
import dev.hitflow.schemas.tables.HitflowTables;
import dev.hitflow.schemas.tables.HitflowTables.TableDef;
import dev.hitflow.schemas.tables.RightsTables;
import dev.hitflow.udfs.identity.RightsRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.types.Types;

/**
 * One scheduled maintenance run over a catalog: data-subject requests (erasure, access, opt-out),
 * retention per tenant and table class, the merge of settled aggregate rows to one row per key,
 * compaction, then snapshot expiry and orphan removal on every table it touched, so that expired
 * and erased bytes are gone from storage. Safe to run twice.
 */
public final class MaintenanceRun {
    /** What the run was asked to do. */
    /**
     * @param deadLetterDir the local runner's dead letters ({@code <warehouse>/dead-letters}), or
     *     null when there are none (the stream job's are in Kafka, bounded by the topic's
     *     retention)
     */
    public record Options(
            Instant now,
            boolean dryRun,
            Duration orphanMinAge,
            List<PendingRequest> requests,
            Path exportDir,
            Path deadLetterDir,
            Duration outOfOrderness) {
        public Options(
                Instant now,
                boolean dryRun,
                Duration orphanMinAge,
                List<PendingRequest> requests,
                Path exportDir) {
            this(now, dryRun, orphanMinAge, requests, exportDir, null, Duration.ofSeconds(30));
        }

        /** With the stream's default out-of-orderness (30 s). */
        public Options(
                Instant now,
                boolean dryRun,
                Duration orphanMinAge,
                List<PendingRequest> requests,
                Path exportDir,
                Path deadLetterDir) {
            this(
                    now,
                    dryRun,
                    orphanMinAge,
                    requests,
                    exportDir,
                    deadLetterDir,
                    Duration.ofSeconds(30));
        }

        /** Without local dead letters. */
        public Options(
                Instant now,
                boolean dryRun,
                Duration orphanMinAge,
                List<PendingRequest> requests,
                Path exportDir,
                Duration outOfOrderness) {
            this(now, dryRun, orphanMinAge, requests, exportDir, null, outOfOrderness);
        }
    }

    /** One partition of an aggregate table merged (or that would be) to one row per key. */
    public record MergeResult(
            String table, String tenant, LocalDate day, int files, int rowsBefore, int rowsAfter) {}

    /** What it did, for the summary and for tests. */
    public record Report(
            List<TableMaintenance.RetentionResult> retention,
            Map<String, Long> erasedRows,
            Map<String, Path> exports,
            Map<String, TableMaintenance.CleanupResult> cleanup,
            DeadLetterFiles.Result expiredDeadLetters,
            Map<String, DeadLetterFiles.Result> erasedDeadLetters,
            List<MergeResult> merges) {}

    private final Catalog catalog;
    private final TenantRegistry tenants;
    private final KeyRing keys;

    public MaintenanceRun(Catalog catalog, TenantRegistry tenants, KeyRing keys) {
        this.catalog = catalog;
        this.tenants = tenants;
        this.keys = keys;
    }

    public Report run(Options options, PrintWriter out) {
        String mode = options.dryRun() ? " (dry run: nothing is changed)" : "";
        out.println("maintain at " + options.now() + mode);
        Map<String, Long> erased = new LinkedHashMap<>();
        Map<String, Path> exports = new LinkedHashMap<>();
        Map<String, DeadLetterFiles.Result> erasedDeadLetters = new LinkedHashMap<>();
        List<SuppressionEntry> suppressions = new ArrayList<>();
        Set<TableDef> touched = new LinkedHashSet<>();
        Map<TableDef, Set<String>> removed = new LinkedHashMap<>();

        List<TableDef> detail =
                HitflowTables.all().stream().filter(TableDef::detail).filter(this::exists).toList();
        // Requests from the file first, then those the stream job queued and no run answered. A
        // file's request that an earlier run answered (its ID is in the audit) is not answered
        // again: a scheduled run may be handed the same file every night.
        Set<String> answered = RightsQueue.answered(catalog);
        List<PendingRequest> requests = new ArrayList<>();
        for (PendingRequest r : options.requests()) {
            if (answered.contains(r.requestId())) {
                out.printf(
                        Locale.ROOT,
                        "  request %s (%s, tenant %s): answered by an earlier run, skipped%n",
                        r.requestId(),
                        r.type(),
                        r.tenantId());
            } else {
                requests.add(r);
            }
        }
        Set<String> given = new java.util.HashSet<>();
        options.requests().forEach(r -> given.add(r.requestId()));
        RightsQueue.pending(catalog).stream()
                .filter(r -> !given.contains(r.requestId()))
                .forEach(requests::add);
        for (PendingRequest request : requests) {
            Map<String, String> ids = request.visitorIds();
            Set<String> visitorIds = new LinkedHashSet<>(ids.values());
            long rows = 0;
            String status;
            switch (request.type()) {
                case ERASURE -> {
                    for (TableDef def : detail) {
                        rows +=
                                TableMaintenance.erase(
                                        catalog.loadTable(def.id()),
                                        request.tenantId(),
                                        visitorIds,
                                        options.dryRun(),
                                        removed.computeIfAbsent(
                                                def, d -> new java.util.HashSet<>()));
                        touched.add(def);
                    }
                    erased.put(request.requestId(), rows);
                    if (options.deadLetterDir() != null) {
                        DeadLetterFiles.Result letters =
                                eraseDeadLetters(
                                        request, options.deadLetterDir(), options.dryRun());
                        erasedDeadLetters.put(request.requestId(), letters);
                        if (letters.letters() > 0) {
                            out.printf(
                                    Locale.ROOT,
                                    "  request %s: %s %d dead letters carrying the identifier%n",
                                    request.requestId(),
                                    options.dryRun() ? "would remove" : "removed",
                                    letters.letters());
                        }
                    }
                    status = "ERASED";
                }
                case ACCESS -> {
                    Path file =
                            export(
                                    request,
                                    visitorIds,
                                    detail,
                                    options.exportDir(),
                                    options.dryRun());
                    exports.put(request.requestId(), file);
                    status = "EXPORTED";
                }
                default -> status = "RECORDED"; // the opt-out registry suppresses
            }
            if (request.suppressionId() != null && request.type() != RightsRequest.Type.ACCESS) {
                suppressions.add(
                        SuppressionEntry.newBuilder()
                                .setTenantId(request.tenantId())
                                .setSuppressionId(request.suppressionId())
                                .setRequestId(request.requestId())
                                .setType(request.type().name())
                                .setIdKind(request.idKind())
                                .setSource(request.source())
                                .setRequestedAt(options.now().toEpochMilli())
                                .build());
            }
            out.printf(
                    Locale.ROOT,
                    "  request %s (%s, tenant %s): %s, %d rows%n",
                    request.requestId(),
                    request.type(),
                    request.tenantId(),
                    status,
                    rows);
            if (!options.dryRun()) {
                audit(request, ids, status, rows, options.now());
            }
        }

        if (!suppressions.isEmpty() && !options.dryRun()) {
            // one commit for the run's opt-outs and erasures: every job follows this table
            Table registry =
                    dev.hitflow.jobs.sink.HitflowCatalog.createTable(
                            catalog, RightsTables.SUPPRESSIONS_TABLE);
            IcebergFiles.append(
                    registry,
                    suppressions.stream().map(e -> SuppressionTable.record(registry, e)).toList());
            out.printf(
                    Locale.ROOT,
                    "  %s: %d opt-outs and erasures added%n",
                    RightsTables.SUPPRESSIONS,
                    suppressions.size());
        }

        DeadLetterFiles.Result expiredDeadLetters = new DeadLetterFiles.Result(0, 0, 0);
        if (options.deadLetterDir() != null) {
            Instant cutoff = options.now().minus(tenants.deadLetterRetention());
            expiredDeadLetters =
                    DeadLetterFiles.expire(options.deadLetterDir(), cutoff, options.dryRun());
            out.printf(
                    Locale.ROOT,
                    "  dead letters written before %s (dead_letter_retention %s): %s %d files, %,d"
                            + " bytes%n",
                    cutoff,
                    tenants.deadLetterRetention(),
                    options.dryRun() ? "would delete" : "deleted",
                    expiredDeadLetters.files(),
                    expiredDeadLetters.bytes());
        }

        List<TableMaintenance.RetentionResult> retention = new ArrayList<>();
        for (TenantConfig tenant : tenants.tenants()) {
            for (TableDef def : HitflowTables.all()) {
                if (!exists(def)) {
                    continue;
                }
                LocalDate firstKept =
                        RetentionPolicy.firstKeptDay(tenant, def.detail(), options.now());
                TableMaintenance.RetentionResult r =
                        TableMaintenance.retention(
                                catalog.loadTable(def.id()),
                                tenant.id(),
                                firstKept,
                                options.dryRun(),
                                removed.computeIfAbsent(def, d -> new java.util.HashSet<>()));
                retention.add(r);
                if (r.files() > 0) {
                    touched.add(def);
                    out.printf(
                            Locale.ROOT,
                            "  %s %-28s keep from %s: %s %d partitions, %d files, %,d bytes, %,d rows%n",
                            tenant.id(),
                            def.id(),
                            firstKept,
                            options.dryRun() ? "would delete" : "deleted",
                            r.days().size(),
                            r.files(),
                            r.bytes(),
                            r.rows());
                }
            }
        }

        List<MergeResult> merges = mergeSettledAggregates(options, out, touched, removed);

        Map<String, TableMaintenance.CleanupResult> cleanup = new LinkedHashMap<>();
        if (!options.dryRun()) {
            for (TableDef def : HitflowTables.all()) {
                if (!exists(def)) {
                    continue;
                }
                TableMaintenance.CompactionResult c =
                        TableMaintenance.compact(
                                catalog.loadTable(def.id()),
                                removed.computeIfAbsent(def, d -> new java.util.HashSet<>()));
                if (c.filesRewritten() > 0) {
                    touched.add(def);
                    out.printf(
                            Locale.ROOT,
                            "  %-28s compacted %d files into %d%n",
                            def.id(),
                            c.filesRewritten(),
                            c.filesWritten());
                }
            }
            for (TableDef def : touched) {
                TableMaintenance.CleanupResult c =
                        TableMaintenance.expireAndRemoveOrphans(
                                catalog.loadTable(def.id()),
                                options.orphanMinAge(),
                                removed.getOrDefault(def, Set.of()));
                cleanup.put(def.id().toString(), c);
                out.printf(
                        Locale.ROOT,
                        "  %-28s expired %d snapshots, removed %d orphan files%n",
                        def.id(),
                        c.snapshotsExpired(),
                        c.orphansDeleted());
            }
        }
        out.flush();
        return new Report(
                retention, erased, exports, cleanup, expiredDeadLetters, erasedDeadLetters, merges);
    }

    /**
     * Removes the local dead letters carrying the erased visitor's identifier: each dead letter's
     * identifier of the request's kind is hashed under the tenant's live keys and compared with the
     * request's visitor IDs (the run never holds the erased identifier itself).
     */
    private DeadLetterFiles.Result eraseDeadLetters(
            PendingRequest request, Path dir, boolean dryRun) {
        IdKind kind = IdKind.valueOf(request.idKind());
        String field =
                switch (kind) {
                    case USER -> "user_id";
                    case MOBILE -> "mobile_id";
                    default -> "cookie_id";
                };
        Set<String> ids = Set.copyOf(request.visitorIds().values());
        return DeadLetterFiles.erase(
                dir,
                field,
                value ->
                        new RightsRequest("", request.tenantId(), request.type(), kind, value)
                                .visitorIds(keys).values().stream().anyMatch(ids::contains),
                dryRun);
    }

    /**
     * Merges each aggregate table's settled (tenant, day) partitions to one row per key (see {@link
     * AggregateMerge}), before compaction. A partition changed by another commit meanwhile is left
     * for the next run.
     */
    private List<MergeResult> mergeSettledAggregates(
            Options options,
            PrintWriter out,
            Set<TableDef> touched,
            Map<TableDef, Set<String>> removed) {
        List<MergeResult> merges = new ArrayList<>();
        for (TenantConfig tenant : tenants.tenants()) {
            LocalDate lastSettled =
                    AggregateMerge.lastSettledDay(
                            tenant.timeZone(), options.now(), options.outOfOrderness());
            for (TableDef def : AggregateTables.all()) {
                if (!exists(def)) {
                    continue;
                }
                Table table = catalog.loadTable(def.id());
                for (LocalDate day :
                        AggregateMerge.candidateDays(table, tenant.id(), lastSettled)) {
                    AggregateMerge.Plan plan = AggregateMerge.plan(table, tenant.id(), day);
                    if (!plan.changes()) {
                        continue;
                    }
                    String verb = options.dryRun() ? "would merge" : "merged";
                    if (!options.dryRun()) {
                        try {
                            removed.computeIfAbsent(def, d -> new java.util.HashSet<>())
                                    .addAll(AggregateMerge.commit(plan));
                            touched.add(def);
                        } catch (ValidationException e) {
                            verb = "left for the next run (changed meanwhile), not merged";
                        }
                    }
                    merges.add(
                            new MergeResult(
                                    def.id().name(),
                                    tenant.id(),
                                    day,
                                    plan.files().size(),
                                    plan.rowsBefore(),
                                    plan.merged().size()));
                    out.printf(
                            Locale.ROOT,
                            "  %s %s %s: %s %d rows of %d files into %d rows%n",
                            tenant.id(),
                            def.id(),
                            day,
                            verb,
                            plan.rowsBefore(),
                            plan.files().size(),
                            plan.merged().size());
                }
            }
        }
        return merges;
    }

    private boolean exists(TableDef def) {
        return catalog.tableExists(def.id());
    }

    private Path export(
            PendingRequest request,
            Set<String> visitorIds,
            List<TableDef> detail,
            Path dir,
            boolean dryRun) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("request_id", request.requestId());
        doc.put("tenant_id", request.tenantId());
        doc.put("visitor_ids", List.copyOf(visitorIds));
        Map<String, Object> tables = new LinkedHashMap<>();
        for (TableDef def : detail) {
            List<Map<String, Object>> rows = new ArrayList<>();
            Table table = catalog.loadTable(def.id());
            for (Record r : TableMaintenance.rowsOf(table, request.tenantId(), visitorIds)) {
                rows.add(toMap(r, table.schema().asStruct()));
            }
            tables.put(def.id().name(), rows);
        }
        doc.put("tables", tables);
        Path file = dir.resolve("access-" + request.requestId() + ".json");
        if (dryRun) {
            return file;
        }
        try {
            Files.createDirectories(dir);
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(file.toFile(), doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static Map<String, Object> toMap(Record r, Types.StructType struct) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Types.NestedField field : struct.fields()) {
            map.put(field.name(), json(r.getField(field.name())));
        }
        return map;
    }

    private static Object json(Object v) {
        if (v instanceof Temporal) {
            return v.toString();
        } else if (v instanceof ByteBuffer b) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            return Base64.getEncoder().encodeToString(bytes);
        }
        return v;
    }

    private void audit(
            PendingRequest request,
            Map<String, String> ids,
            String status,
            long rows,
            Instant now) {
        Table table =
                catalog.tableExists(RightsTables.RIGHTS_REQUESTS)
                        ? catalog.loadTable(RightsTables.RIGHTS_REQUESTS)
                        : dev.hitflow.jobs.sink.HitflowCatalog.createTable(
                                catalog, RightsTables.RIGHTS_REQUESTS_TABLE);
        GenericRecord row = GenericRecord.create(table.schema());
        row.setField("tenant_id", request.tenantId());
        row.setField("day", now.atZone(ZoneOffset.UTC).toLocalDate());
        row.setField("request_id", request.requestId());
        row.setField("type", request.type().name());
        row.setField("id_kind", request.idKind());
        row.setField("visitor_ids", new ArrayList<>(new LinkedHashSet<>(ids.values())));
        row.setField("key_versions", new ArrayList<>(ids.keySet()));
        row.setField("status", status);
        row.setField("rows_affected", rows);
        row.setField("completed_at", now.atOffset(ZoneOffset.UTC));
        IcebergFiles.append(table, List.of(row));
    }
}
