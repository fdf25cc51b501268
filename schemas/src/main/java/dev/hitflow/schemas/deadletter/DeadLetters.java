package dev.hitflow.schemas.deadletter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hitflow.schemas.avro.DeadLetter;
import dev.hitflow.schemas.avro.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/** Builds dead-letter records and renders them as JSON Lines. */
public final class DeadLetters {
    /** Original bytes kept per dead letter; the rest is cut. */
    public static final int MAX_ORIGINAL_BYTES = 16 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private DeadLetters() {}

    public static DeadLetter of(
            DeadLetterReason reason,
            String detail,
            String source,
            byte[] original,
            String tenantId,
            String siteId,
            long now) {
        boolean truncated = original.length > MAX_ORIGINAL_BYTES;
        byte[] kept = truncated ? Arrays.copyOf(original, MAX_ORIGINAL_BYTES) : original;
        return DeadLetter.newBuilder()
                .setReason(reason)
                .setDetail(detail)
                .setFailedAt(now)
                .setSource(source)
                .setTenantId(tenantId)
                .setSiteId(siteId)
                .setOriginal(ByteBuffer.wrap(kept))
                .setOriginalSize(original.length)
                .setTruncated(truncated)
                .build();
    }

    /**
     * One JSON object per dead letter: the original as text when it is UTF-8 ({@code original}),
     * else as base64 ({@code original_base64}), so that a replay can feed it back unchanged.
     */
    public static String toJson(DeadLetter letter) {
        ObjectNode node = JSON.createObjectNode();
        node.put("reason", letter.getReason().name());
        node.put("detail", letter.getDetail());
        node.put("failed_at", letter.getFailedAt());
        node.put("source", letter.getSource());
        node.put("tenant_id", letter.getTenantId());
        node.put("site_id", letter.getSiteId());
        ByteBuffer buffer = letter.getOriginal().duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        try {
            node.put(
                    "original",
                    StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            node.put("original_base64", Base64.getEncoder().encodeToString(bytes));
        }
        node.put("original_size", letter.getOriginalSize());
        node.put("truncated", letter.getTruncated());
        return node.toString();
    }
}
