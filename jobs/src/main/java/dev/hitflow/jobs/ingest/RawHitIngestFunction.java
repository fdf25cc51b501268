package dev.hitflow.jobs.ingest;

import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.TenantRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.flink.util.Collector;

/** Already-decoded Avro input (container files): only validation is left to do. */
public class RawHitIngestFunction extends IngestFunction<RawHit> {
    private static final long serialVersionUID = 1L;

    public RawHitIngestFunction(TenantRegistry tenants, String source) {
        super(tenants, source);
    }

    @Override
    public void processElement(RawHit hit, Context ctx, Collector<RawHit> out) throws IOException {
        accept(hit, null, ctx, out);
    }

    @Override
    protected byte[] original(RawHit hit, byte[] original) throws IOException {
        ByteBuffer encoded = RawHit.getEncoder().encode(hit);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return bytes;
    }
}
