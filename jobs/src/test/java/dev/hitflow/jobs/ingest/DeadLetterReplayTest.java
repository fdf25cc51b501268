package dev.hitflow.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.avro.DeadLetterReason;
import dev.hitflow.schemas.deadletter.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeadLetterReplayTest {
    final DeadLetterReplay replay = new DeadLetterReplay(Set.of("UNKNOWN_SITE"));

    static byte[] letter(DeadLetterReason reason, byte[] original) {
        return DeadLetters.toJson(DeadLetters.of(reason, "d", "hits.raw", original, null, "s", 1L))
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void replaysTheOriginalBytesOfTheChosenReasonsBinaryOrText() {
        byte[] binary = {(byte) 0xC3, 0x01, 0, -1, 7};
        assertThat(replay.decide(letter(DeadLetterReason.UNKNOWN_SITE, binary)))
                .isInstanceOfSatisfying(
                        DeadLetterReplay.Replay.class,
                        r -> assertThat(r.original()).isEqualTo(binary));
        byte[] text = "{\"hit_id\":\"h\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(replay.decide(letter(DeadLetterReason.UNKNOWN_SITE, text)))
                .isInstanceOfSatisfying(
                        DeadLetterReplay.Replay.class,
                        r -> assertThat(r.original()).isEqualTo(text));
    }

    @Test
    void skipsOtherReasonsTruncatedOriginalsAndNonsense() {
        assertThat(replay.decide(letter(DeadLetterReason.BAD_IP, new byte[] {1})))
                .isEqualTo(new DeadLetterReplay.Skip("reason BAD_IP"));
        assertThat(
                        replay.decide(
                                letter(
                                        DeadLetterReason.UNKNOWN_SITE,
                                        new byte[DeadLetters.MAX_ORIGINAL_BYTES + 1])))
                .isEqualTo(new DeadLetterReplay.Skip("truncated"));
        assertThat(replay.decide("nope".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new DeadLetterReplay.Skip("not a dead letter"));
        assertThat(replay.decide(null)).isEqualTo(new DeadLetterReplay.Skip("not a dead letter"));
    }
}
