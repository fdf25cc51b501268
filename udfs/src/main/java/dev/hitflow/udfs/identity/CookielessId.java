package dev.hitflow.udfs.identity;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The visitor ID of a hit with no identifier: a keyed hash of (site, truncated IP, user agent)
 * under a salt that changes every day in the tenant's time zone. The salt is derived from the
 * tenant key and the date, so every subtask computes the same one and nothing has to be stored;
 * yesterday's IDs cannot be linked to today's.
 */
public final class CookielessId {
    private static final HexFormat HEX = HexFormat.of();

    private final VisitorIdHasher tenantKey;
    private LocalDate saltDay;
    private Mac daily;

    public CookielessId(VisitorIdHasher tenantKey) {
        this.tenantKey = tenantKey;
    }

    /**
     * @param localDay the hit's date in the tenant's time zone
     * @param truncatedIp the IP after truncation (always truncated here, whatever the tenant says)
     */
    public String visitorId(LocalDate localDay, String site, String truncatedIp, String userAgent) {
        if (!localDay.equals(saltDay)) {
            byte[] salt = tenantKey.derive("cookieless-salt\u0000" + localDay);
            try {
                daily = Mac.getInstance("HmacSHA256");
                daily.init(new SecretKeySpec(salt, "HmacSHA256"));
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                throw new IllegalStateException("cannot initialise HMAC-SHA-256", e);
            }
            saltDay = localDay;
        }
        daily.reset();
        daily.update(site.getBytes(StandardCharsets.UTF_8));
        daily.update((byte) 0);
        daily.update(truncatedIp.getBytes(StandardCharsets.UTF_8));
        daily.update((byte) 0);
        byte[] digest =
                daily.doFinal(
                        (userAgent == null ? "" : userAgent).getBytes(StandardCharsets.UTF_8));
        return HEX.formatHex(digest, 0, 16);
    }
}
