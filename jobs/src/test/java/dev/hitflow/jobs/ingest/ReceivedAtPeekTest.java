package dev.hitflow.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.RawHit;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReceivedAtPeekTest {
    static final long NOW = Instant.parse("2026-11-24T12:00:00Z").toEpochMilli();

    static byte[] encoded(String hitId, long receivedAt) throws Exception {
        ByteBuffer buffer =
                RawHit.getEncoder()
                        .encode(
                                RawHit.newBuilder()
                                        .setHitId(hitId)
                                        .setReceivedAt(receivedAt)
                                        .setSiteId("shop")
                                        .setHitType(HitType.PAGE_VIEW)
                                        .setIp("81.2.69.142")
                                        .build());
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    @Test
    void readsReceivedAtWithoutDecodingTheRecord() throws Exception {
        long at = Instant.parse("2026-11-24T11:59:58.123Z").toEpochMilli();
        assertThat(ReceivedAtPeek.receivedAt(encoded("a-hit-id-of-some-length", at), NOW))
                .isEqualTo(at);
        assertThat(ReceivedAtPeek.receivedAt(encoded("", at), NOW)).isEqualTo(at);
    }

    @Test
    void badBytesAndImpossibleTimesNeverMoveTheWatermark() throws Exception {
        assertThat(ReceivedAtPeek.receivedAt(null, NOW)).isEqualTo(ReceivedAtPeek.NONE);
        assertThat(ReceivedAtPeek.receivedAt(new byte[] {1, 2, 3}, NOW))
                .isEqualTo(ReceivedAtPeek.NONE);
        assertThat(ReceivedAtPeek.receivedAt("{\"hit_id\":\"x\"}".getBytes(), NOW))
                .isEqualTo(ReceivedAtPeek.NONE);
        byte[] truncated = encoded("h", NOW);
        assertThat(ReceivedAtPeek.receivedAt(java.util.Arrays.copyOf(truncated, 12), NOW))
                .isEqualTo(ReceivedAtPeek.NONE);
        assertThat(ReceivedAtPeek.receivedAt(encoded("h", NOW + 86_400_001L), NOW))
                .isEqualTo(ReceivedAtPeek.NONE);
        assertThat(ReceivedAtPeek.receivedAt(encoded("h", 946_684_799_999L), NOW))
                .isEqualTo(ReceivedAtPeek.NONE);
    }
}
