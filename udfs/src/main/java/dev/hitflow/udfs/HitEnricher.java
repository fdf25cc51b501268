package dev.hitflow.udfs;

import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.IdKind;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantConfig;
import dev.hitflow.udfs.identity.VisitorIdHasher;
import java.net.URI;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;

/**
 * The privacy gate as one pure function: a {@link RawHit} in, an {@link EnrichedHit} out, with no
 * raw identifier copied across. First version: visitor ID and tenant-local day; geo, agent and URL
 * scrubbing follow. Not thread-safe: one per operator instance.
 */
public final class HitEnricher {
    private final KeyRing keys;
    private final Map<String, VisitorIdHasher> hashers = new HashMap<>();

    public HitEnricher(KeyRing keys) {
        this.keys = keys;
    }

    public EnrichedHit enrich(RawHit raw, TenantConfig tenant) {
        Consent consent = raw.getConsent() != null ? raw.getConsent() : tenant.defaultConsent();
        ZonedDateTime local = Instant.ofEpochMilli(raw.getReceivedAt()).atZone(tenant.timeZone());
        EnrichedHit.Builder out =
                EnrichedHit.newBuilder()
                        .setTenantId(tenant.id())
                        .setSiteId(raw.getSiteId())
                        .setHitId(raw.getHitId())
                        .setReceivedAt(raw.getReceivedAt())
                        .setDay((int) local.toLocalDate().toEpochDay())
                        .setHour(local.getHour())
                        .setTimeZone(tenant.timeZone().getId())
                        .setHitType(raw.getHitType())
                        .setConsent(consent)
                        .setPage(page(raw))
                        .setEvent(raw.getEvent())
                        .setCart(raw.getCart());
        if (consent == Consent.OPT_IN || consent == Consent.EXEMPT) {
            VisitorIdHasher hasher =
                    hashers.computeIfAbsent(
                            tenant.id(),
                            t ->
                                    new VisitorIdHasher(
                                            t,
                                            tenant.currentKey(),
                                            keys.key(t, tenant.currentKey())));
            IdKind kind = null;
            String identifier = null;
            if (consent == Consent.OPT_IN
                    && tenant.identifiedVisitors()
                    && raw.getUserId() != null) {
                kind = IdKind.USER;
                identifier = raw.getUserId();
            } else if (raw.getCookieId() != null) {
                kind = IdKind.COOKIE;
                identifier = raw.getCookieId();
            } else if (raw.getMobileId() != null) {
                kind = IdKind.MOBILE;
                identifier = raw.getMobileId();
            }
            if (kind != null) {
                out.setVisitorId(hasher.visitorId(kind, identifier))
                        .setIdKind(kind)
                        .setKeyVersion(hasher.keyVersion());
            }
        }
        return out.build();
    }

    /** The page label, else the URL's path (never its query). */
    private static String page(RawHit raw) {
        if (raw.getPage() != null) {
            return raw.getPage();
        }
        if (raw.getUrl() == null) {
            return null;
        }
        try {
            String path = URI.create(raw.getUrl()).getPath();
            return path == null || path.isEmpty() ? "/" : path;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
