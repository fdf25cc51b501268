package dev.hitflow.schemas.config;

import java.io.Serializable;

/** How many months a tenant's detail and aggregate tables keep, counted in its time zone. */
public record Retention(int detailMonths, int aggregateMonths) implements Serializable {
    public static final int DEFAULT_MONTHS = 25;

    public static Retention defaults() {
        return new Retention(DEFAULT_MONTHS, DEFAULT_MONTHS);
    }
}
