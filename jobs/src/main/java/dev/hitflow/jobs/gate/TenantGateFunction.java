package dev.hitflow.jobs.gate;

import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantConfig;
import dev.hitflow.schemas.config.TenantConfigChange;
import dev.hitflow.schemas.config.TenantConfigUpdates;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.udfs.HitEnricher;
import dev.hitflow.udfs.agent.UserAgentClassifier;
import dev.hitflow.udfs.geo.GeoLocator;
import java.nio.file.Path;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The privacy gate of every job (a thin shell over {@link HitEnricher}) under the live tenant
 * config. Tenant documents from the compacted topic {@code tenants.config} reach every subtask as
 * broadcast elements; accepted ones are kept, in arrival order, in broadcast state (so they survive
 * a restore) and laid over the tenants of the file the job started with. A change applies to every
 * hit the gate passes after it, and to every later stage through the settings the gate copies into
 * the hit. A hit of a site no tenant claims yet, or of a tenant whose current key or suppression
 * key is not in the keys file yet, leaves on {@link #UNKNOWN_SITE} as it came, to become a dead
 * letter that can be replayed once the config is there. Its output type has no field for a raw
 * identifier. The keys are read from the keys file in {@link #open} (never carried in the job
 * graph); the user-agent classifier and the GeoIP reader are shared by the whole JVM (both
 * thread-safe, cached).
 */
public class TenantGateFunction
        extends BroadcastProcessFunction<RawHit, TenantConfigChange, EnrichedHit> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TenantGateFunction.class);

    /** Tenant ID -> arrival number and document ("" for a removed tenant). */
    public static final MapStateDescriptor<String, String> TENANT_DOCUMENTS =
            new MapStateDescriptor<>("tenant-documents", Types.STRING, Types.STRING);

    public static final OutputTag<RawHit> UNKNOWN_SITE =
            new OutputTag<>("unknown-site", new AvroTypeInfo<>(RawHit.class));

    /** How often, at most, the keys file is read again for a tenant whose key is missing. */
    static final long KEYS_RELOAD_INTERVAL_MS = 10_000;

    private final TenantRegistry fileTenants;
    private final String keysFile;
    private final String geoDatabase;
    private final boolean classifyAgents;

    private transient TenantRegistry live;
    private transient KeyRing keys;
    private transient GeoLocator geo;
    private transient UserAgentClassifier agents;
    private transient HitEnricher enricher;
    private transient long keysLoadedAt;
    private transient Counter bots;
    private transient Counter applied;
    private transient Counter rejected;
    private transient Counter unknownSite;

    /**
     * @param fileTenants the tenants of the file the job started with; changes lay over them
     * @param geoDatabase a MaxMind City database, or null for no geolocation
     */
    public TenantGateFunction(
            TenantRegistry fileTenants, Path keysFile, Path geoDatabase, boolean classifyAgents) {
        this.fileTenants = fileTenants;
        this.keysFile = keysFile.toString();
        this.geoDatabase = geoDatabase == null ? null : geoDatabase.toString();
        this.classifyAgents = classifyAgents;
    }

    @Override
    public void open(OpenContext openContext) {
        geo = geoDatabase == null ? null : GeoLocator.shared(Path.of(geoDatabase));
        agents = classifyAgents ? UserAgentClassifier.shared() : null;
        loadKeys(KeyRing.load(Path.of(keysFile)));
        var metrics = getRuntimeContext().getMetricGroup().addGroup("hitflow");
        bots = metrics.counter("bot_hits");
        applied = metrics.counter("tenant_config_applied");
        rejected = metrics.counter("tenant_config_rejected");
        unknownSite = metrics.counter("unknown_site_hits");
    }

    @Override
    public void processElement(RawHit raw, ReadOnlyContext ctx, Collector<EnrichedHit> out)
            throws Exception {
        if (live == null) {
            live = restore(ctx.getBroadcastState(TENANT_DOCUMENTS).immutableEntries());
        }
        Optional<TenantConfig> tenant = live.tenantForSite(raw.getSiteId());
        if (tenant.isEmpty() || !hasCurrentKey(tenant.get())) {
            unknownSite.inc();
            ctx.output(UNKNOWN_SITE, raw);
            return;
        }
        EnrichedHit hit = enricher.enrich(raw, tenant.get());
        if (hit.getIsBot()) {
            bots.inc();
        }
        out.collect(hit);
    }

    @Override
    public void processBroadcastElement(
            TenantConfigChange change, Context ctx, Collector<EnrichedHit> out) throws Exception {
        BroadcastState<String, String> state = ctx.getBroadcastState(TENANT_DOCUMENTS);
        if (live == null) {
            live = restore(state.immutableEntries());
        }
        try {
            TenantRegistry next =
                    TenantConfigUpdates.apply(live, change.tenantId(), change.document());
            long arrival = 0;
            for (Map.Entry<String, String> e : state.immutableEntries()) {
                arrival = Math.max(arrival, arrivalOf(e.getValue()) + 1);
            }
            state.put(
                    change.tenantId(),
                    arrival + ":" + (change.document() == null ? "" : change.document()));
            live = next;
            applied.inc();
            LOG.info(
                    "tenant config of '{}' {}",
                    change.tenantId(),
                    change.document() == null ? "removed" : "applied");
        } catch (ConfigException e) {
            rejected.inc();
            LOG.warn("tenants.config change rejected, previous config kept: {}", e.getMessage());
        }
    }

    /** The file's tenants with the stored changes, in the order they arrived. */
    private TenantRegistry restore(Iterable<Map.Entry<String, String>> stored) {
        List<Map.Entry<String, String>> changes = new ArrayList<>();
        stored.forEach(changes::add);
        changes.sort(Comparator.comparingLong(e -> arrivalOf(e.getValue())));
        List<Map.Entry<String, String>> documents = new ArrayList<>();
        for (Map.Entry<String, String> e : changes) {
            String document = e.getValue().substring(e.getValue().indexOf(':') + 1);
            documents.add(new SimpleEntry<>(e.getKey(), document.isEmpty() ? null : document));
        }
        return TenantConfigUpdates.overlay(
                fileTenants,
                documents,
                (tenant, problem) ->
                        LOG.warn(
                                "stored config of tenant '{}' no longer applies: {}",
                                tenant,
                                problem.getMessage()));
    }

    private static long arrivalOf(String stored) {
        return Long.parseLong(stored.substring(0, stored.indexOf(':')));
    }

    /**
     * A tenant added through the topic may name a key that the keys file (a mounted secret) does
     * not hold yet, or have no suppression key there yet: read the file again, at most every {@link
     * #KEYS_RELOAD_INTERVAL_MS}. Without its suppression key a tenant's opt-outs could not be
     * matched, so its hits wait (as dead letters) like those of a tenant without its current key.
     */
    private boolean hasCurrentKey(TenantConfig tenant) {
        if (hasKeys(tenant)) {
            return true;
        }
        long now = System.currentTimeMillis();
        if (now - keysLoadedAt >= KEYS_RELOAD_INTERVAL_MS) {
            keysLoadedAt = now;
            try {
                loadKeys(KeyRing.load(Path.of(keysFile)));
            } catch (ConfigException e) {
                LOG.warn(
                        "keys file could not be read again, previous keys kept: {}",
                        e.getMessage());
            }
        }
        return hasKeys(tenant);
    }

    private boolean hasKeys(TenantConfig tenant) {
        return keys.has(tenant.id(), tenant.currentKey()) && keys.hasSuppressionKey(tenant.id());
    }

    private void loadKeys(KeyRing ring) {
        keys = ring;
        keysLoadedAt = System.currentTimeMillis();
        enricher = new HitEnricher(keys, geo, agents);
    }
}
