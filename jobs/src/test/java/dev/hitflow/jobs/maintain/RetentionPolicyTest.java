package dev.hitflow.jobs.maintain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.config.TenantConfig;
import dev.hitflow.schemas.config.TenantConfigLoader;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {
    static TenantConfig tenant(String zone, int detail, int aggregate) {
        return TenantConfigLoader.parse(
                        "tenants:\n  - id: t\n    country: FR\n    time_zone: "
                                + zone
                                + "\n    sites: [s]\n    retention: {detail_months: "
                                + detail
                                + ", aggregate_months: "
                                + aggregate
                                + "}\n",
                        "test",
                        null,
                        null)
                .tenant("t")
                .orElseThrow();
    }

    @Test
    void cutoffIsTheTenantsLocalDateMinusTheMonths() {
        TenantConfig paris = tenant("Europe/Paris", 25, 37);
        Instant now = Instant.parse("2026-11-01T12:00:00Z");
        assertThat(RetentionPolicy.firstKeptDay(paris, true, now))
                .isEqualTo(LocalDate.of(2024, 10, 1));
        assertThat(RetentionPolicy.firstKeptDay(paris, false, now))
                .isEqualTo(LocalDate.of(2023, 10, 1));
    }

    @Test
    void theLocalDateDecidesNearMidnight() {
        // 23:30 UTC on Oct 31 is already Nov 1 in Paris and Kiritimati, still Oct 31 in New York
        Instant now = Instant.parse("2026-10-31T23:30:00Z");
        assertThat(RetentionPolicy.firstKeptDay(tenant("Europe/Paris", 1, 1), true, now))
                .isEqualTo(LocalDate.of(2026, 10, 1));
        assertThat(RetentionPolicy.firstKeptDay(tenant("Pacific/Kiritimati", 1, 1), true, now))
                .isEqualTo(LocalDate.of(2026, 10, 1));
        assertThat(RetentionPolicy.firstKeptDay(tenant("America/New_York", 1, 1), true, now))
                .isEqualTo(LocalDate.of(2026, 9, 30));
    }

    @Test
    void monthEndsClampToTheLastDayOfTheShorterMonth() {
        // 31 March minus one month is 28 February (2027 is no leap year); minus 13 is 28 Feb 2026
        Instant now = Instant.parse("2027-03-31T10:00:00Z");
        TenantConfig utc = tenant("UTC", 1, 13);
        assertThat(RetentionPolicy.firstKeptDay(utc, true, now))
                .isEqualTo(LocalDate.of(2027, 2, 28));
        assertThat(RetentionPolicy.firstKeptDay(utc, false, now))
                .isEqualTo(LocalDate.of(2026, 2, 28));
        // and a leap year keeps the 29th
        assertThat(
                        RetentionPolicy.firstKeptDay(
                                tenant("UTC", 1, 1), true, Instant.parse("2028-03-31T10:00:00Z")))
                .isEqualTo(LocalDate.of(2028, 2, 29));
    }
}
