package dev.hitflow.jobs.ingest;

import dev.hitflow.schemas.avro.DeadLetterReason;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.TenantRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.util.Collector;

/** JSON Lines input: one JSON object per line, decoded by {@link JsonHitDecoder}. */
public class JsonLinesIngestFunction extends IngestFunction<String> {
    private static final long serialVersionUID = 1L;

    /** Lines longer than this are dead letters (TOO_LARGE) without being parsed. */
    public static final int MAX_LINE_BYTES = 64 * 1024;

    private transient JsonHitDecoder decoder;

    public JsonLinesIngestFunction(TenantRegistry tenants, String source) {
        super(tenants, source);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        super.open(openContext);
        decoder = new JsonHitDecoder();
    }

    @Override
    public void processElement(String line, Context ctx, Collector<RawHit> out) throws IOException {
        if (line.isBlank()) {
            return; // an empty line is not a record
        }
        byte[] original = line.getBytes(StandardCharsets.UTF_8);
        if (original.length > MAX_LINE_BYTES) {
            reject(
                    DeadLetterReason.TOO_LARGE,
                    "record is " + original.length + " bytes, over " + MAX_LINE_BYTES,
                    original,
                    null,
                    null,
                    ctx);
            return;
        }
        RawHit hit;
        try {
            hit = decoder.decode(line);
        } catch (JsonHitDecoder.DecodeException e) {
            reject(e.reason(), e.getMessage(), original, null, null, ctx);
            return;
        }
        accept(hit, original, ctx, out);
    }
}
