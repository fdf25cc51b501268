package dev.hitflow.jobs.gate;

import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantConfig;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.udfs.HitEnricher;
import dev.hitflow.udfs.agent.UserAgentClassifier;
import dev.hitflow.udfs.geo.GeoLocator;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The privacy gate as a Flink operator: a thin shell over {@link HitEnricher}. Its output type has
 * no field for a raw identifier. Heavy objects are built in {@link #open}: the keys are read from
 * the keys file (so they never travel inside the job graph); the user-agent classifier and the
 * GeoIP reader are shared by the whole JVM (both thread-safe, with caches in front).
 */
public class EnrichFunction extends ProcessFunction<RawHit, EnrichedHit> {
    private static final long serialVersionUID = 1L;

    private final TenantRegistry tenants;
    private final String keysFile;
    private final String geoDatabase;
    private final boolean classifyAgents;

    private transient HitEnricher enricher;
    private transient Counter bots;

    /**
     * @param geoDatabase a MaxMind City database, or null for no geolocation
     * @param classifyAgents false skips YAUAA (device and agent columns stay null)
     */
    public EnrichFunction(
            TenantRegistry tenants, Path keysFile, Path geoDatabase, boolean classifyAgents) {
        this.tenants = tenants;
        this.keysFile = keysFile.toString();
        this.geoDatabase = geoDatabase == null ? null : geoDatabase.toString();
        this.classifyAgents = classifyAgents;
    }

    @Override
    public void open(OpenContext openContext) {
        GeoLocator geo = geoDatabase == null ? null : GeoLocator.shared(Path.of(geoDatabase));
        enricher =
                new HitEnricher(
                        KeyRing.load(Path.of(keysFile)),
                        geo,
                        classifyAgents ? UserAgentClassifier.shared() : null);
        bots = getRuntimeContext().getMetricGroup().addGroup("hitflow").counter("bot_hits");
    }

    @Override
    public void processElement(RawHit raw, Context ctx, Collector<EnrichedHit> out) {
        // Ingest let only hits of known sites through.
        TenantConfig tenant = tenants.tenantForSite(raw.getSiteId()).orElseThrow();
        EnrichedHit hit = enricher.enrich(raw, tenant);
        if (hit.getIsBot()) {
            bots.inc();
        }
        out.collect(hit);
    }
}
