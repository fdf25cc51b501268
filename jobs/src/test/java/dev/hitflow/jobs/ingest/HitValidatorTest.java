package dev.hitflow.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.avro.DeadLetterReason;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.TenantConfigLoader;
import dev.hitflow.schemas.config.TenantRegistry;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HitValidatorTest {
    static final long NOW = Instant.parse("2026-11-24T12:00:00Z").toEpochMilli();
    final TenantRegistry tenants =
            TenantConfigLoader.parse(
                    "tenants:\n  - id: acme\n    country: FR\n    time_zone: Europe/Paris\n    sites: [shop]\n",
                    "test",
                    null,
                    null);
    final HitValidator validator = new HitValidator(tenants);

    static RawHit hit(String site, long at, String ip) {
        return RawHit.newBuilder()
                .setHitId("h")
                .setReceivedAt(at)
                .setSiteId(site)
                .setHitType(HitType.PAGE_VIEW)
                .setIp(ip)
                .build();
    }

    @Test
    void aValidHitFindsItsTenant() {
        HitValidator.Outcome outcome = validator.validate(hit("shop", NOW, "81.2.69.142"), NOW);
        assertThat(outcome).isInstanceOf(HitValidator.Valid.class);
        assertThat(((HitValidator.Valid) outcome).tenant().id()).isEqualTo("acme");
    }

    @Test
    void unknownSite() {
        assertThat(validator.validate(hit("other", NOW, "81.2.69.142"), NOW))
                .isEqualTo(
                        new HitValidator.Invalid(
                                DeadLetterReason.UNKNOWN_SITE,
                                "site_id is not in the tenant config",
                                "other",
                                null));
    }

    @Test
    void anUnknownSitePassesWhenALaterStageKnowsTheLiveConfigButOtherChecksStillApply() {
        HitValidator liveConfigLater = new HitValidator(tenants, false);
        HitValidator.Outcome outcome =
                liveConfigLater.validate(hit("other", NOW, "81.2.69.142"), NOW);
        assertThat(outcome)
                .isEqualTo(new HitValidator.Valid(hit("other", NOW, "81.2.69.142"), null));
        assertThat(liveConfigLater.validate(hit("other", NOW, "example.com"), NOW))
                .isEqualTo(
                        new HitValidator.Invalid(
                                DeadLetterReason.BAD_IP,
                                "ip is not an IPv4 or IPv6 literal",
                                "other",
                                null));
    }

    @Test
    void timestampsBefore2000OrADayAheadAreImpossible() {
        long dayMs = 86_400_000L;
        assertThat(reason(hit("shop", 946_684_799_999L, "1.2.3.4")))
                .isEqualTo(DeadLetterReason.BAD_TIMESTAMP);
        assertThat(reason(hit("shop", NOW + dayMs + 1, "1.2.3.4")))
                .isEqualTo(DeadLetterReason.BAD_TIMESTAMP);
        assertThat(validator.validate(hit("shop", NOW + dayMs, "1.2.3.4"), NOW))
                .isInstanceOf(HitValidator.Valid.class);
        assertThat(validator.validate(hit("shop", 946_684_800_000L, "1.2.3.4"), NOW))
                .isInstanceOf(HitValidator.Valid.class);
    }

    @Test
    void ipMustBeALiteral() {
        assertThat(reason(hit("shop", NOW, "256.1.1.1"))).isEqualTo(DeadLetterReason.BAD_IP);
        assertThat(reason(hit("shop", NOW, "example.com"))).isEqualTo(DeadLetterReason.BAD_IP);
        assertThat(reason(hit("shop", NOW, "1.2.3"))).isEqualTo(DeadLetterReason.BAD_IP);
        assertThat(reason(hit("shop", NOW, "2001:db8::1::2"))).isEqualTo(DeadLetterReason.BAD_IP);
        assertThat(validator.validate(hit("shop", NOW, "2001:480:10::1"), NOW))
                .isInstanceOf(HitValidator.Valid.class);
        assertThat(validator.validate(hit("shop", NOW, "::ffff:81.2.69.142"), NOW))
                .isInstanceOf(HitValidator.Valid.class);
    }

    private DeadLetterReason reason(RawHit hit) {
        return ((HitValidator.Invalid) validator.validate(hit, NOW)).reason();
    }
}
