package dev.hitflow.jobs.sink;

import dev.hitflow.schemas.avro.DeadLetter;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.Session;
import dev.hitflow.schemas.avro.SuppressionEntry;
import dev.hitflow.schemas.avro.VisitorSuppression;
import dev.hitflow.schemas.deadletter.DeadLetters;
import dev.hitflow.schemas.tables.HitflowTables;
import dev.hitflow.schemas.tables.HitflowTables.TableDef;
import dev.hitflow.schemas.tables.RightsTables;
import java.util.Map;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.DistributionMode;
import org.apache.iceberg.flink.sink.FlinkSink;

/**
 * Iceberg's own Flink sink for every table (exactly-once: data files are committed when a
 * checkpoint completes), and JSON Lines files for dead letters (also committed on checkpoints).
 */
public final class IcebergSinks implements HitflowSinks {
    /** Snapshot summary property naming the run that committed it. */
    public static final String RUN_ID_PROPERTY = "hitflow.run-id";

    private final HitflowCatalog catalog;
    private final String deadLetterDir;
    private final String runId;

    /**
     * @param deadLetterDir folder (any Flink file system URI) for dead-letter JSON Lines files
     * @param runId written into every snapshot summary, so a run can count what it committed
     */
    public IcebergSinks(HitflowCatalog catalog, String deadLetterDir, String runId) {
        this.catalog = catalog;
        this.deadLetterDir = deadLetterDir;
        this.runId = runId;
    }

    @Override
    public void hits(Map<String, DataStream<EnrichedHit>> parts) {
        DataStream<RowData> rows = null;
        for (Map.Entry<String, DataStream<EnrichedHit>> part : parts.entrySet()) {
            DataStream<RowData> partRows =
                    part.getValue()
                            .map(DetailRows::hit)
                            .returns(DetailRows.HITS.typeInfo())
                            .name("hits-to-rows-" + part.getKey())
                            .uid("hits-to-rows-" + part.getKey());
            rows = rows == null ? partRows : rows.union(partRows);
        }
        write(HitflowTables.HITS_TABLE, rows);
    }

    @Override
    public void sessions(DataStream<Session> sessions) {
        write(
                HitflowTables.SESSIONS_TABLE,
                sessions.map(DetailRows::session)
                        .returns(DetailRows.SESSIONS.typeInfo())
                        .name("sessions-to-rows")
                        .uid("sessions-to-rows"));
    }

    @Override
    public void aggregate(TableDef table, DataStream<RowData> rows) {
        write(table, rows);
    }

    @Override
    public void rightsQueue(DataStream<VisitorSuppression> requests) {
        write(
                RightsTables.RIGHTS_QUEUE_TABLE,
                requests.map(DetailRows::rightsQueue)
                        .returns(DetailRows.RIGHTS_QUEUE.typeInfo())
                        .name("rights-queue-to-rows")
                        .uid("rights-queue-to-rows"));
    }

    @Override
    public void suppressions(DataStream<SuppressionEntry> suppressions) {
        write(
                RightsTables.SUPPRESSIONS_TABLE,
                suppressions
                        .map(SuppressionTable::row)
                        .returns(SuppressionTable.LAYOUT.typeInfo())
                        .name("suppressions-to-rows")
                        .uid("suppressions-to-rows"));
    }

    @Override
    public void deadLetters(DataStream<DeadLetter> deadLetters) {
        FileSink<String> sink =
                FileSink.forRowFormat(new Path(deadLetterDir), new SimpleStringEncoder<String>())
                        .withBucketAssigner(new BasePathBucketAssigner<>())
                        .withRollingPolicy(OnCheckpointRollingPolicy.build())
                        .withOutputFileConfig(
                                OutputFileConfig.builder()
                                        .withPartPrefix("dead-letters")
                                        .withPartSuffix(".jsonl")
                                        .build())
                        .build();
        deadLetters
                .map(DeadLetters::toJson)
                .returns(Types.STRING)
                .name("dead-letters-to-json")
                .uid("dead-letters-to-json")
                .sinkTo(sink)
                .name("dead-letters-files")
                .uid("dead-letters-files");
    }

    /**
     * Writes rows of a table with Iceberg's FlinkSink, one writer subtask per (tenant, day)
     * partition (fewer, larger files), committed on checkpoints. Public for the benchmark's floor,
     * which must write the way the pipeline does.
     */
    public void write(TableDef table, DataStream<RowData> rows) {
        String name = table.id().name();
        FlinkSink.forRowData(rows.keyBy(new PartitionKeyOf(table), Types.INT))
                .tableLoader(catalog.tableLoader(table))
                // partitioned above: Iceberg's own HASH selector formats a path string per row
                .distributionMode(DistributionMode.NONE)
                .setSnapshotProperties(Map.of(RUN_ID_PROPERTY, runId))
                .uidPrefix("iceberg-" + name)
                .append()
                .name("iceberg-" + name);
    }
}
