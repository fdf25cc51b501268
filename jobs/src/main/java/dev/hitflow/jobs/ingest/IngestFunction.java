package dev.hitflow.jobs.ingest;

import dev.hitflow.schemas.avro.DeadLetter;
import dev.hitflow.schemas.avro.DeadLetterReason;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.schemas.deadletter.DeadLetters;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and validates input records. Valid hits go on as {@link RawHit}; every invalid one
 * becomes a {@link DeadLetter} on the {@link #DEAD_LETTERS} side output with a reason code, and a
 * counter per tenant and reason counts it. Nothing is dropped and nothing stops the job.
 */
public abstract class IngestFunction<IN> extends ProcessFunction<IN, RawHit> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    /** Metric group and counter names: hitflow.tenant.<t>.reason.<r>.dead_letters. */
    public static final String METRIC_GROUP = "hitflow";

    public static final String DEAD_LETTER_COUNTER = "dead_letters";
    public static final String ACCEPTED_COUNTER = "hits_accepted";

    private final TenantRegistry tenants;
    private final String source;
    private final boolean requireKnownSite;

    private transient HitValidator validator;
    private transient Map<String, Counter> deadLetterCounters;
    private transient Counter accepted;

    protected IngestFunction(TenantRegistry tenants, String source) {
        this(tenants, source, true);
    }

    /** See {@link HitValidator#HitValidator(TenantRegistry, boolean)}. */
    protected IngestFunction(TenantRegistry tenants, String source, boolean requireKnownSite) {
        this.tenants = tenants;
        this.source = source;
        this.requireKnownSite = requireKnownSite;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        validator = new HitValidator(tenants, requireKnownSite);
        deadLetterCounters = new HashMap<>();
        accepted =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup(METRIC_GROUP)
                        .counter(ACCEPTED_COUNTER);
    }

    /** Validates a decoded hit and routes it; {@code original} may be null if not at hand. */
    protected final void accept(RawHit hit, byte[] original, Context ctx, Collector<RawHit> out)
            throws IOException {
        HitValidator.Outcome outcome = validator.validate(hit, System.currentTimeMillis());
        if (outcome instanceof HitValidator.Invalid invalid) {
            reject(
                    invalid.reason(),
                    invalid.detail(),
                    original(hit, original),
                    invalid.tenantId(),
                    invalid.siteId(),
                    ctx);
        } else {
            accepted.inc();
            out.collect(hit);
        }
    }

    /** The bytes to keep in a dead letter; subclasses without them at hand re-encode the hit. */
    protected byte[] original(RawHit hit, byte[] original) throws IOException {
        return original;
    }

    protected final void reject(
            DeadLetterReason reason,
            String detail,
            byte[] original,
            String tenantId,
            String siteId,
            Context ctx) {
        ctx.output(
                DEAD_LETTERS,
                DeadLetters.of(
                        reason,
                        detail,
                        source,
                        original,
                        tenantId,
                        siteId,
                        System.currentTimeMillis()));
        String tenant = tenantId == null ? "unknown" : tenantId;
        deadLetterCounters
                .computeIfAbsent(
                        tenant + '\u0000' + reason,
                        k ->
                                getRuntimeContext()
                                        .getMetricGroup()
                                        .addGroup(METRIC_GROUP)
                                        .addGroup("tenant", tenant)
                                        .addGroup("reason", reason.name())
                                        .counter(DEAD_LETTER_COUNTER))
                .inc();
    }
}
