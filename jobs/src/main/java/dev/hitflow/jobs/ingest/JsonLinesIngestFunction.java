package dev.hitflow.jobs.ingest;

import dev.hitflow.schemas.avro.DeadLetterReason;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.TenantRegistry;
import java.io.IOException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.util.Collector;

/**
 * JSON Lines input: one JSON object per line, as the line's bytes ({@link JsonLinesFormat}),
 * decoded by {@link JsonHitDecoder}. A dead letter keeps the line's bytes as they were.
 */
public class JsonLinesIngestFunction extends IngestFunction<byte[]> {
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
    public void processElement(byte[] line, Context ctx, Collector<RawHit> out) throws IOException {
        if (isBlank(line)) {
            return; // an empty line is not a record
        }
        if (line.length > MAX_LINE_BYTES) {
            reject(
                    DeadLetterReason.TOO_LARGE,
                    "record is " + line.length + " bytes, over " + MAX_LINE_BYTES,
                    line,
                    null,
                    null,
                    ctx);
            return;
        }
        RawHit hit;
        try {
            hit = decoder.decode(line);
        } catch (JsonHitDecoder.DecodeException e) {
            reject(e.reason(), e.getMessage(), line, null, null, ctx);
            return;
        }
        accept(hit, line, ctx, out);
    }

    /** Only spaces, tabs and line ends (what String.isBlank finds blank among ASCII). */
    static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n' && b != '\f' && b != 0x0b) {
                return false;
            }
        }
        return true;
    }
}
