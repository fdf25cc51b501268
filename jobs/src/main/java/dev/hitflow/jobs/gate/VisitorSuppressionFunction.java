package dev.hitflow.jobs.gate;

import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.sink.SuppressionTable;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.SuppressionEntry;
import dev.hitflow.schemas.tables.RightsTables;
import dev.hitflow.udfs.consent.Suppression;
import java.io.IOException;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.flink.TableLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The opt-out registry of the privacy gate, keyed by tenant and suppression ID (the identifier's
 * HMAC under the tenant's suppression key, which never rotates, so an opt-out holds across key
 * rotations). Once a visitor opted out or asked for erasure, their later hits leave on {@link
 * #SUPPRESSED} as OPT_OUT hits (no visitor ID, no session), whatever consent they claim. Every hit
 * leaves without its suppression ID: nothing after the registry sees it.
 *
 * <p>Two sources, one answer: the durable registry {@code analytics.suppressions} (every door
 * writes to it), loaded in {@link #open} (the entries of this subtask's key groups) and read again
 * when a new snapshot of it that added rows is committed, looked for at most every {@link
 * #REFRESH_INTERVAL_MS} as hits pass; and the requests the job itself takes from its requests
 * input, kept in keyed state without TTL (an opt-out does not expire) so they apply from the next
 * hit on, before their row is committed.
 */
public class VisitorSuppressionFunction
        extends KeyedCoProcessFunction<String, EnrichedHit, SuppressionEntry, EnrichedHit> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(VisitorSuppressionFunction.class);

    public static final OutputTag<EnrichedHit> SUPPRESSED =
            new OutputTag<>("suppressed-hits", new AvroTypeInfo<>(EnrichedHit.class));

    /** How often, at most, a running job looks for new rows of the durable registry. */
    public static final long REFRESH_INTERVAL_MS = 10_000;

    private final HitflowCatalog catalog;
    private final long refreshIntervalMs;

    private transient ValueState<String> suppressedBy;
    private transient Counter suppressed;
    private transient TableLoader loader;
    private transient Table table;
    private transient Set<String> durable;
    private transient long loadedSnapshot;
    private transient long checkedAt;

    /**
     * @param catalog where {@code analytics.suppressions} is
     */
    public VisitorSuppressionFunction(HitflowCatalog catalog) {
        this(catalog, REFRESH_INTERVAL_MS);
    }

    /** With another interval between looks at the table (tests: 0, at every hit). */
    VisitorSuppressionFunction(HitflowCatalog catalog, long refreshIntervalMs) {
        this.catalog = catalog;
        this.refreshIntervalMs = refreshIntervalMs;
    }

    /**
     * A hit's registry key: its suppression ID when it has one (an identifier under a tenant with a
     * suppression key), else its visitor ID (a cookieless visitor, whom no request can name).
     */
    public static String key(EnrichedHit hit) {
        return SuppressionTable.key(
                hit.getTenantId(),
                hit.getSuppressionId() != null ? hit.getSuppressionId() : hit.getVisitorId());
    }

    public static String key(SuppressionEntry entry) {
        return SuppressionTable.key(entry.getTenantId(), entry.getSuppressionId());
    }

    @Override
    public void open(OpenContext openContext) {
        suppressedBy =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("suppressed-by", Types.STRING));
        suppressed =
                getRuntimeContext().getMetricGroup().addGroup("hitflow").counter("suppressed_hits");
        loader = catalog.tableLoader(RightsTables.SUPPRESSIONS_TABLE);
        loader.open();
        table = loader.loadTable();
        load();
    }

    @Override
    public void processElement1(EnrichedHit hit, Context ctx, Collector<EnrichedHit> out)
            throws Exception {
        refreshWhenDue();
        hit.setSuppressionId(null);
        if (suppressedBy.value() == null && !durable.contains(ctx.getCurrentKey())) {
            out.collect(hit);
        } else {
            suppressed.inc();
            ctx.output(SUPPRESSED, Suppression.asOptedOut(hit));
        }
    }

    @Override
    public void processElement2(SuppressionEntry entry, Context ctx, Collector<EnrichedHit> out)
            throws Exception {
        if (suppressedBy.value() == null) {
            suppressedBy.update(entry.getType() + " " + entry.getRequestId());
        }
    }

    @Override
    public void close() throws IOException {
        if (loader != null) {
            loader.close();
        }
    }

    private void refreshWhenDue() {
        long now = System.currentTimeMillis();
        if (now - checkedAt < refreshIntervalMs) {
            return;
        }
        checkedAt = now;
        table.refresh();
        Snapshot current = table.currentSnapshot();
        if (current == null || current.snapshotId() == loadedSnapshot) {
            return;
        }
        if (SuppressionTable.changedSince(table, loadedSnapshot)) {
            load();
        } else {
            loadedSnapshot = current.snapshotId(); // only the sink's empty checkpoint commits
        }
    }

    /** The registry keys of this subtask's key groups, as of the table's current snapshot. */
    private void load() {
        var task = getRuntimeContext().getTaskInfo();
        int maxParallelism = task.getMaxNumberOfParallelSubtasks();
        int parallelism = task.getNumberOfParallelSubtasks();
        int index = task.getIndexOfThisSubtask();
        Snapshot current = table.currentSnapshot();
        durable =
                SuppressionTable.keys(
                        table,
                        key ->
                                KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                                key, maxParallelism, parallelism)
                                        == index);
        loadedSnapshot = current == null ? -1 : current.snapshotId();
        checkedAt = System.currentTimeMillis();
        LOG.info(
                "opt-out registry subtask {}: {} suppressions of analytics.suppressions",
                index,
                durable.size());
    }
}
