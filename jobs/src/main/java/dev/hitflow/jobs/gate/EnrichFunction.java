package dev.hitflow.jobs.gate;

import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantConfig;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.udfs.HitEnricher;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The privacy gate as a Flink operator: a thin shell over {@link HitEnricher}. Its output type has
 * no field for a raw identifier. Keys are read from the keys file in {@link #open}, so they never
 * travel inside the job graph.
 */
public class EnrichFunction extends ProcessFunction<RawHit, EnrichedHit> {
    private static final long serialVersionUID = 1L;

    private final TenantRegistry tenants;
    private final String keysFile;

    private transient HitEnricher enricher;

    public EnrichFunction(TenantRegistry tenants, Path keysFile) {
        this.tenants = tenants;
        this.keysFile = keysFile.toString();
    }

    @Override
    public void open(OpenContext openContext) {
        enricher = new HitEnricher(KeyRing.load(Path.of(keysFile)));
    }

    @Override
    public void processElement(RawHit raw, Context ctx, Collector<EnrichedHit> out) {
        // Ingest let only hits of known sites through.
        TenantConfig tenant = tenants.tenantForSite(raw.getSiteId()).orElseThrow();
        out.collect(enricher.enrich(raw, tenant));
    }
}
