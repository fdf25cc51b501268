package dev.hitflow.jobs.ingest;

import dev.hitflow.schemas.avro.DeadLetterReason;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.TenantConfig;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.udfs.ip.IpAddresses;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Checks a decoded {@link RawHit} against the input contract: required fields, a known site, a
 * possible timestamp, an IP literal. Pure: no Flink, no I/O. Problems come back as a reason code
 * and a detail naming the field, never its value.
 */
public final class HitValidator {
    /** Hits received before this are impossible (the product did not exist). */
    public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

    /** Collector clocks may run ahead a little; a day ahead of processing time is impossible. */
    public static final Duration MAX_FUTURE = Duration.ofDays(1);

    private final TenantRegistry tenants;
    private final boolean requireKnownSite;

    /**
     * A validator for which a site missing from {@code tenants} is a dead letter (UNKNOWN_SITE).
     */
    public HitValidator(TenantRegistry tenants) {
        this(tenants, true);
    }

    /**
     * @param requireKnownSite false when a later stage knows the live tenant config (the stream
     *     job's gate, fed by tenants.config) and decides about unknown sites; {@code tenants} then
     *     only names the tenant of a dead letter
     */
    public HitValidator(TenantRegistry tenants, boolean requireKnownSite) {
        this.tenants = tenants;
        this.requireKnownSite = requireKnownSite;
    }

    /** The outcome of validating one hit. */
    public sealed interface Outcome permits Valid, Invalid {}

    /** A valid hit; {@code tenant} is null for a site unknown here when sites are not required. */
    public record Valid(RawHit hit, TenantConfig tenant) implements Outcome {}

    public record Invalid(DeadLetterReason reason, String detail, String siteId, String tenantId)
            implements Outcome {}

    public Outcome validate(RawHit hit, long nowMillis) {
        if (isBlank(hit.getHitId())) {
            return new Invalid(DeadLetterReason.MISSING_FIELD, "hit_id is empty", null, null);
        }
        if (isBlank(hit.getSiteId())) {
            return new Invalid(DeadLetterReason.MISSING_FIELD, "site_id is empty", null, null);
        }
        Optional<TenantConfig> tenant = tenants.tenantForSite(hit.getSiteId());
        if (tenant.isEmpty() && requireKnownSite) {
            return new Invalid(
                    DeadLetterReason.UNKNOWN_SITE,
                    "site_id is not in the tenant config",
                    hit.getSiteId(),
                    null);
        }
        String tenantId = tenant.map(TenantConfig::id).orElse(null);
        long receivedAt = hit.getReceivedAt();
        if (receivedAt < EARLIEST.toEpochMilli()
                || receivedAt > nowMillis + MAX_FUTURE.toMillis()) {
            return new Invalid(
                    DeadLetterReason.BAD_TIMESTAMP,
                    "received_at is before 2000 or more than a day ahead",
                    hit.getSiteId(),
                    tenantId);
        }
        if (isBlank(hit.getIp())) {
            return new Invalid(
                    DeadLetterReason.MISSING_FIELD, "ip is empty", hit.getSiteId(), tenantId);
        }
        if (!isIpLiteral(hit.getIp())) {
            return new Invalid(
                    DeadLetterReason.BAD_IP,
                    "ip is not an IPv4 or IPv6 literal",
                    hit.getSiteId(),
                    tenantId);
        }
        return new Valid(hit, tenant.orElse(null));
    }

    /** An IPv4 or IPv6 literal, as the gate parses it; never resolves a name. */
    static boolean isIpLiteral(String text) {
        return IpAddresses.parse(text).isPresent();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
