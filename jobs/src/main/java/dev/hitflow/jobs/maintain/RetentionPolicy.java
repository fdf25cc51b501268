package dev.hitflow.jobs.maintain;

import dev.hitflow.schemas.config.TenantConfig;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The first day a tenant keeps, per table class: the date of {@code now} in the tenant's zone,
 * minus the retention months. Rows with an earlier {@code day} are expired; since {@code day} is a
 * partition column, they are whole partitions.
 */
public final class RetentionPolicy {
    private RetentionPolicy() {}

    public static LocalDate firstKeptDay(TenantConfig tenant, boolean detail, Instant now) {
        int months =
                detail ? tenant.retention().detailMonths() : tenant.retention().aggregateMonths();
        return now.atZone(tenant.timeZone()).toLocalDate().minusMonths(months);
    }
}
