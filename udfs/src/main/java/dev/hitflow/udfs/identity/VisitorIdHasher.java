package dev.hitflow.udfs.identity;

import dev.hitflow.schemas.avro.IdKind;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Visitor ID = HMAC-SHA-256 under the tenant's key, truncated to 128 bits, as 32 lower-case hex
 * characters. The input names the tenant and the kind of identifier, so the same raw value as a
 * cookie and as a login, or in two tenants, gives unrelated IDs. The same identifier and key always
 * give the same ID; without the key nothing maps back.
 *
 * <p>Not thread-safe ({@link Mac} is not): one per operator instance or thread. The stream and the
 * erasure run must produce identical IDs, so this is the only place the format is defined.
 */
public final class VisitorIdHasher {
    private static final String ALGORITHM = "HmacSHA256";
    private static final int ID_BYTES = 16;
    private static final HexFormat HEX = HexFormat.of();

    private final String tenantId;
    private final String keyVersion;
    private final Mac mac;

    public VisitorIdHasher(String tenantId, String keyVersion, byte[] key) {
        this.tenantId = tenantId;
        this.keyVersion = keyVersion;
        try {
            this.mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            // never include the key in the message
            throw new IllegalStateException(
                    "cannot initialise HMAC-SHA-256 for tenant '" + tenantId + "'", e);
        }
    }

    public String keyVersion() {
        return keyVersion;
    }

    /** The visitor ID of a raw identifier of the given kind. */
    public String visitorId(IdKind kind, String identifier) {
        mac.reset();
        mac.update(tenantId.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        mac.update(kind.name().getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        byte[] digest = mac.doFinal(identifier.getBytes(StandardCharsets.UTF_8));
        return HEX.formatHex(digest, 0, ID_BYTES);
    }

    /**
     * The suppression ID of a raw identifier, under the tenant's suppression key (which never
     * rotates): HMAC(key, tenant \0 "suppression" \0 kind \0 identifier), 128 bits as hex. The
     * label keeps it unrelated to any visitor ID even if the same key were used for both. It is
     * what the opt-out registry matches a request and a hit on, across key rotations.
     */
    public String suppressionId(IdKind kind, String identifier) {
        mac.reset();
        mac.update(tenantId.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        mac.update("suppression".getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        mac.update(kind.name().getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        byte[] digest = mac.doFinal(identifier.getBytes(StandardCharsets.UTF_8));
        return HEX.formatHex(digest, 0, ID_BYTES);
    }

    /**
     * A secret derived from this key for the tenant and a label, such as the daily cookieless salt:
     * HMAC(key, tenant \0 "derive" \0 label).
     */
    public byte[] derive(String label) {
        mac.reset();
        mac.update(tenantId.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        mac.update("derive".getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
    }
}
