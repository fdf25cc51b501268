package dev.hitflow.jobs.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;

/**
 * Chooses which dead letters go back to the input, and with which bytes: those of the chosen
 * reasons whose original was kept whole. Pure: {@code hitflow replay} does the Kafka I/O.
 */
public final class DeadLetterReplay {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What to do with one dead letter. */
    public sealed interface Decision permits Replay, Skip {}

    /** Produce these bytes to the input topic. */
    public record Replay(byte[] original) implements Decision {}

    /** Leave it: another reason, truncated, or not a dead letter at all. */
    public record Skip(String why) implements Decision {}

    private final Set<String> reasons;

    public DeadLetterReplay(Set<String> reasons) {
        this.reasons = Set.copyOf(reasons);
    }

    /** The decision for one record of the dead-letter topic (JSON, as the stream job writes). */
    public Decision decide(byte[] value) {
        JsonNode letter;
        try {
            letter = value == null ? null : JSON.readTree(value);
        } catch (IOException e) {
            letter = null;
        }
        if (letter == null || !letter.isObject() || !letter.hasNonNull("reason")) {
            return new Skip("not a dead letter");
        }
        if (!reasons.contains(letter.get("reason").asText())) {
            return new Skip("reason " + letter.get("reason").asText());
        }
        if (letter.path("truncated").asBoolean(false)) {
            return new Skip("truncated");
        }
        if (letter.hasNonNull("original_base64")) {
            try {
                return new Replay(
                        Base64.getDecoder().decode(letter.get("original_base64").asText()));
            } catch (IllegalArgumentException e) {
                return new Skip("original_base64 is not base64");
            }
        }
        if (letter.hasNonNull("original")) {
            return new Replay(letter.get("original").asText().getBytes(StandardCharsets.UTF_8));
        }
        return new Skip("no original");
    }
}
