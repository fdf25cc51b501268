package dev.hitflow.jobs.sink;

import dev.hitflow.schemas.avro.DeadLetter;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.Session;
import dev.hitflow.schemas.avro.SuppressionEntry;
import dev.hitflow.schemas.avro.VisitorSuppression;
import dev.hitflow.schemas.tables.HitflowTables.TableDef;
import java.util.Map;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.RowData;

/** Where the pipeline's outputs go. Production writes Iceberg; tests may plug in their own. */
public interface HitflowSinks {
    /**
     * The hits table. {@code parts}: the streams whose union is every hit, by a name for their
     * operators' uids; a sink turns each into rows where it is, before they meet.
     */
    void hits(Map<String, DataStream<EnrichedHit>> parts);

    void sessions(DataStream<Session> sessions);

    void deadLetters(DataStream<DeadLetter> deadLetters);

    /** An aggregate table's rows, already in the table's column layout. */
    void aggregate(TableDef table, DataStream<RowData> rows);

    /** Data-subject requests the stream job took, queued for the maintenance run. */
    void rightsQueue(DataStream<VisitorSuppression> requests);

    /** Opt-outs and erasures the job took, for the durable opt-out registry. */
    void suppressions(DataStream<SuppressionEntry> suppressions);
}
