package dev.hitflow.jobs.ingest;

import dev.hitflow.schemas.avro.DeadLetter;
import dev.hitflow.schemas.avro.DeadLetterReason;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.deadletter.DeadLetters;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Hits whose site the live tenant config does not know (yet), sent back by the stream job's gate,
 * as dead letters (UNKNOWN_SITE). The original is the hit in the single-object encoding of the
 * Kafka input, so that once the tenant's config is on {@code tenants.config} a replay can produce
 * it to the hits topic as it is ({@code hitflow replay}).
 */
public class UnknownSiteDeadLetters extends ProcessFunction<RawHit, DeadLetter> {
    private static final long serialVersionUID = 1L;

    static final String DETAIL =
            "site_id is not in the live tenant config, or its tenant's current key is not in the"
                    + " keys file yet; replay once it is";

    private final String source;
    private transient Counter counter;

    public UnknownSiteDeadLetters(String source) {
        this.source = source;
    }

    @Override
    public void open(OpenContext openContext) {
        // The same counter IngestFunction names for this reason.
        counter =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup(IngestFunction.METRIC_GROUP)
                        .addGroup("tenant", "unknown")
                        .addGroup("reason", DeadLetterReason.UNKNOWN_SITE.name())
                        .counter(IngestFunction.DEAD_LETTER_COUNTER);
    }

    @Override
    public void processElement(RawHit hit, Context ctx, Collector<DeadLetter> out)
            throws Exception {
        ByteBuffer encoded = RawHit.getEncoder().encode(hit);
        byte[] original = new byte[encoded.remaining()];
        encoded.get(original);
        counter.inc();
        out.collect(
                DeadLetters.of(
                        DeadLetterReason.UNKNOWN_SITE,
                        DETAIL,
                        source,
                        original,
                        null,
                        hit.getSiteId(),
                        System.currentTimeMillis()));
    }
}
