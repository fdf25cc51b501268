package dev.hitflow.jobs.ingest;

import dev.hitflow.schemas.avro.RawHit;
import java.io.IOException;
import java.util.Arrays;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Reads received_at out of a RawHit in single-object encoding without decoding the record (hit_id
 * and received_at are its first two fields), so the Kafka source can assign event time per
 * partition before the record is decoded. Pure.
 */
public final class ReceivedAtPeek {
    /** Returned for bytes that are not a RawHit of the current schema, or an impossible time. */
    public static final long NONE = Long.MIN_VALUE;

    private static final byte[] HEADER = header();

    private ReceivedAtPeek() {}

    /**
     * received_at of the record, or {@link #NONE} when the bytes are not a RawHit of this schema
     * version or the time is impossible ({@link HitValidator}'s bounds against {@code nowMillis}),
     * so that a bad record never moves the watermark.
     */
    public static long receivedAt(byte[] bytes, long nowMillis) {
        if (bytes == null || bytes.length <= HEADER.length) {
            return NONE;
        }
        try {
            if (!Arrays.equals(bytes, 0, HEADER.length, HEADER, 0, HEADER.length)) {
                // Another schema version (or not Avro): the decoder knows the versions we read.
                return plausible(RawHit.getDecoder().decode(bytes).getReceivedAt(), nowMillis);
            }
            BinaryDecoder in =
                    DecoderFactory.get()
                            .binaryDecoder(
                                    bytes, HEADER.length, bytes.length - HEADER.length, null);
            in.skipString();
            return plausible(in.readLong(), nowMillis);
        } catch (IOException | RuntimeException e) {
            return NONE;
        }
    }

    private static long plausible(long at, long nowMillis) {
        return at < HitValidator.EARLIEST.toEpochMilli()
                        || at > nowMillis + HitValidator.MAX_FUTURE.toMillis()
                ? NONE
                : at;
    }

    /** The single-object marker (C3 01) and the schema's CRC-64-AVRO fingerprint, little-endian. */
    private static byte[] header() {
        long fingerprint = SchemaNormalization.parsingFingerprint64(RawHit.getClassSchema());
        byte[] header = new byte[10];
        header[0] = (byte) 0xC3;
        header[1] = 0x01;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return header;
    }
}
