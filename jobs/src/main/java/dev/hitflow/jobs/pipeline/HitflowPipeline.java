package dev.hitflow.jobs.pipeline;

import dev.hitflow.jobs.aggregate.AggregateStage;
import dev.hitflow.jobs.gate.RightsRequestHasher;
import dev.hitflow.jobs.gate.TenantGateFunction;
import dev.hitflow.jobs.gate.VisitorSuppressionFunction;
import dev.hitflow.jobs.ingest.ControlTopics;
import dev.hitflow.jobs.ingest.IngestedHits;
import dev.hitflow.jobs.ingest.UnknownSiteDeadLetters;
import dev.hitflow.jobs.session.DuplicateHitFilter;
import dev.hitflow.jobs.session.PageTransitionCounter;
import dev.hitflow.jobs.session.SessionizeFunction;
import dev.hitflow.jobs.sink.AggregateRows;
import dev.hitflow.jobs.sink.DetailRows;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.sink.HitflowSinks;
import dev.hitflow.schemas.avro.AggregateDelta;
import dev.hitflow.schemas.avro.DeadLetter;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.PageTransition;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.avro.Session;
import dev.hitflow.schemas.avro.SuppressionEntry;
import dev.hitflow.schemas.avro.VisitorSuppression;
import dev.hitflow.schemas.config.TenantConfigChange;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.schemas.tables.AggregateTables;
import dev.hitflow.schemas.tables.HitflowTables;
import dev.hitflow.schemas.tables.HitflowTables.TableDef;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Wires the stages: ingested hits -> event time -> privacy gate -> sessions -> sinks. Sources and
 * sinks are injected, so the local runner, the Kafka job and tests share this wiring.
 */
public final class HitflowPipeline {
    /** Default bound on disorder of received_at. */
    public static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(30);

    /** What the pipeline needs besides its inputs and outputs. */
    /**
     * @param geoDatabase MaxMind City database, or null for no geolocation
     * @param classifyAgents whether to run the user-agent analyzer
     * @param catalog where the durable opt-out registry is
     */
    public record Settings(
            TenantRegistry tenants,
            Path keysFile,
            Duration outOfOrderness,
            Path geoDatabase,
            boolean classifyAgents,
            HitflowCatalog catalog)
            implements Serializable {}

    private final Settings settings;

    public HitflowPipeline(Settings settings) {
        this.settings = settings;
    }

    /**
     * The wiring for file input (local runs, benchmarks, tests): event time from {@code
     * received_at}, and the same gate and opt-out registry as the stream job, fed by control inputs
     * that hold nothing (the tenant file is the whole config; no requests topic).
     */
    public void buildForFile(IngestedHits input, HitflowSinks sinks) {
        StreamExecutionEnvironment env = input.hits().getExecutionEnvironment();
        build(
                new IngestedHits(withEventTime(input.hits()), input.deadLetters()),
                ControlTopics.noTenantConfigChanges(env),
                ControlTopics.noRightsRequests(env),
                "file",
                "none",
                sinks);
    }

    /** Event time from {@code received_at}, allowing {@link Settings#outOfOrderness}. */
    public DataStream<RawHit> withEventTime(DataStream<RawHit> hits) {
        return hits.assignTimestampsAndWatermarks(
                        WatermarkStrategy.<RawHit>forBoundedOutOfOrderness(
                                        settings.outOfOrderness())
                                .withTimestampAssigner((hit, ts) -> hit.getReceivedAt()))
                .name("event-time")
                .uid("event-time");
    }

    /**
     * The privacy gate under the tenant config of the file laid over by {@code config}'s changes.
     * Hits of sites the live config does not know leave on {@link TenantGateFunction#UNKNOWN_SITE}.
     */
    public SingleOutputStreamOperator<EnrichedHit> gate(
            DataStream<RawHit> hits, DataStream<TenantConfigChange> config) {
        return hits.connect(config.broadcast(TenantGateFunction.TENANT_DOCUMENTS))
                .process(
                        new TenantGateFunction(
                                settings.tenants(),
                                settings.keysFile(),
                                settings.geoDatabase(),
                                settings.classifyAgents()))
                .returns(new AvroTypeInfo<>(EnrichedHit.class))
                .name("privacy-gate")
                .uid("privacy-gate-live");
    }

    /**
     * The one wiring of every job: event time is already assigned (per partition in the Kafka
     * source, after the file source for files); the gate follows the live tenant config from {@code
     * config}; data-subject requests feed the opt-out registry and the maintenance queue. Hits of
     * sites the live config does not know and unreadable requests become dead letters with the
     * ingest's. Local runs and the stream job differ only in their sources and dead-letter sink.
     *
     * @param hitsSource and {@code rightsSource}: the sources named in dead letters
     */
    public void build(
            IngestedHits input,
            DataStream<TenantConfigChange> config,
            DataStream<byte[]> rightsRequests,
            String hitsSource,
            String rightsSource,
            HitflowSinks sinks) {
        SingleOutputStreamOperator<EnrichedHit> gated = gate(input.hits(), config);
        DataStream<DeadLetter> unknownSites =
                gated.getSideOutput(TenantGateFunction.UNKNOWN_SITE)
                        .process(new UnknownSiteDeadLetters(hitsSource))
                        .returns(new AvroTypeInfo<>(DeadLetter.class))
                        .name("unknown-site-dead-letters")
                        .uid("unknown-site-dead-letters");
        SingleOutputStreamOperator<VisitorSuppression> requests =
                rightsRequests
                        .process(new RightsRequestHasher(settings.keysFile(), rightsSource))
                        .returns(new AvroTypeInfo<>(VisitorSuppression.class))
                        .name("rights-requests")
                        .uid("rights-requests");
        sinks.deadLetters(
                input.deadLetters()
                        .union(unknownSites, requests.getSideOutput(RightsRequestHasher.REJECTED)));
        sinks.rightsQueue(requests);
        DataStream<SuppressionEntry> suppressions =
                requests.getSideOutput(RightsRequestHasher.SUPPRESSIONS);
        sinks.suppressions(suppressions);
        afterGate(gated, suppressions, sinks);
    }

    /** Everything after the gate: the opt-out registry, sessions, the tables and the aggregates. */
    private void afterGate(
            DataStream<EnrichedHit> enriched,
            DataStream<SuppressionEntry> suppressions,
            HitflowSinks sinks) {
        // Hits without a visitor ID (OPT_OUT, NO_CONSENT) get no session: they go around.
        DataStream<EnrichedHit> identified =
                enriched.filter(h -> h.getVisitorId() != null)
                        .name("with-visitor-id")
                        .uid("with-visitor-id");
        DataStream<EnrichedHit> anonymous =
                enriched.filter(h -> h.getVisitorId() == null)
                        .name("without-visitor-id")
                        .uid("without-visitor-id")
                        // the sessionizer dedupes the hits it keys; these need their own memory
                        .keyBy(DuplicateHitFilter::key)
                        .process(new DuplicateHitFilter())
                        .returns(new AvroTypeInfo<>(EnrichedHit.class))
                        .name("dedupe-without-visitor-id")
                        .uid("dedupe-without-visitor-id");
        // Each part of the hits stream is turned into table rows and aggregate contributions
        // where it is (chained), before the parts meet: no hit crosses the network once more
        // only to be unioned.
        Map<String, DataStream<EnrichedHit>> hitParts = new LinkedHashMap<>();
        SingleOutputStreamOperator<EnrichedHit> notSuppressed =
                identified
                        .keyBy(VisitorSuppressionFunction::key)
                        .connect(suppressions.keyBy(VisitorSuppressionFunction::key))
                        .process(new VisitorSuppressionFunction(settings.catalog()))
                        .returns(new AvroTypeInfo<>(EnrichedHit.class))
                        .name("opt-out-registry")
                        .uid("opt-out-registry");
        identified = notSuppressed;
        hitParts.put(
                "suppressed", notSuppressed.getSideOutput(VisitorSuppressionFunction.SUPPRESSED));

        SingleOutputStreamOperator<EnrichedHit> sessionized =
                identified
                        .keyBy(SessionizeFunction::key)
                        .process(new SessionizeFunction())
                        .returns(new AvroTypeInfo<>(EnrichedHit.class))
                        .name("sessionize")
                        .uid("sessionize");
        DataStream<Session> sessions = sessionized.getSideOutput(SessionizeFunction.SESSIONS);
        hitParts.put("sessionized", sessionized);
        hitParts.put("anonymous", anonymous);

        sinks.hits(hitParts);
        sinks.sessions(sessions);

        DataStream<AggregateDelta> aggregates =
                AggregateStage.build(
                        hitParts, sessions, sessionized.getSideOutput(SessionizeFunction.CAPPED));
        for (TableDef table : AggregateTables.all()) {
            String name = table.id().name();
            sinks.aggregate(
                    table,
                    aggregates
                            .filter(row -> row.getTable().equals(name))
                            .name("rows-of-" + name)
                            .uid("rows-of-" + name)
                            .map(AggregateRows::row)
                            .returns(AggregateRows.layout(name).typeInfo())
                            .name(name + "-to-rows")
                            .uid(name + "-to-rows"));
        }

        DataStream<PageTransition> transitions =
                sessions.keyBy(PageTransitionCounter::key)
                        .process(new PageTransitionCounter())
                        .returns(new AvroTypeInfo<>(PageTransition.class))
                        .name("page-transitions")
                        .uid("page-transitions");
        sinks.aggregate(
                HitflowTables.PAGE_TRANSITIONS_TABLE,
                transitions
                        .map(DetailRows::pageTransition)
                        .returns(DetailRows.PAGE_TRANSITIONS.typeInfo())
                        .name("page-transitions-to-rows")
                        .uid("page-transitions-to-rows"));
    }
}
