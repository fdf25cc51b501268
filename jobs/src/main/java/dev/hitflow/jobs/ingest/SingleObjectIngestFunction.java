package dev.hitflow.jobs.ingest;

import dev.hitflow.schemas.avro.DeadLetterReason;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.TenantRegistry;
import java.io.IOException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.message.MissingSchemaException;
import org.apache.flink.util.Collector;

/**
 * Kafka input: one RawHit per record in Avro single-object encoding, whose header carries the
 * writer schema's fingerprint, so readers tell schema versions apart without a registry. An unknown
 * fingerprint is a dead letter (UNKNOWN_SCHEMA), undecodable bytes too (MALFORMED_AVRO).
 */
public class SingleObjectIngestFunction extends IngestFunction<byte[]> {
    private static final long serialVersionUID = 1L;

    /** Records larger than this are dead letters (TOO_LARGE) without being decoded. */
    public static final int MAX_RECORD_BYTES = 64 * 1024;

    public SingleObjectIngestFunction(TenantRegistry tenants, String source) {
        super(tenants, source);
    }

    /** See {@link HitValidator#HitValidator(TenantRegistry, boolean)}. */
    public SingleObjectIngestFunction(
            TenantRegistry tenants, String source, boolean requireKnownSite) {
        super(tenants, source, requireKnownSite);
    }

    @Override
    public void processElement(byte[] bytes, Context ctx, Collector<RawHit> out)
            throws IOException {
        if (bytes == null) {
            reject(
                    DeadLetterReason.MALFORMED_AVRO,
                    "record has no value",
                    new byte[0],
                    null,
                    null,
                    ctx);
            return;
        }
        if (bytes.length > MAX_RECORD_BYTES) {
            reject(
                    DeadLetterReason.TOO_LARGE,
                    "record is " + bytes.length + " bytes, over " + MAX_RECORD_BYTES,
                    bytes,
                    null,
                    null,
                    ctx);
            return;
        }
        RawHit hit;
        try {
            hit = RawHit.getDecoder().decode(bytes);
        } catch (MissingSchemaException e) {
            reject(
                    DeadLetterReason.UNKNOWN_SCHEMA,
                    "unknown schema fingerprint",
                    bytes,
                    null,
                    null,
                    ctx);
            return;
        } catch (IOException | AvroRuntimeException e) {
            reject(
                    DeadLetterReason.MALFORMED_AVRO,
                    "not an Avro single-object RawHit",
                    bytes,
                    null,
                    null,
                    ctx);
            return;
        }
        accept(hit, bytes, ctx, out);
    }
}
