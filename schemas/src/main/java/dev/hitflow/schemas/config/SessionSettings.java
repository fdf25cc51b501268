package dev.hitflow.schemas.config;

import java.io.Serializable;
import java.time.Duration;

/**
 * What the sessionizer does with one tenant's identified hits: when a session ends (an inactivity
 * gap, a maximum length, optionally a campaign change or local midnight), how long a replayed
 * hit_id is recognized (the dedupe window, which also covers hits without a visitor ID), and how
 * many hits of one visitor per local day it takes before it only counts them. In the YAML, the
 * first four are the keys of {@code session}; {@code dedupe_window} and {@code
 * max_hits_per_visitor_day} are keys of the tenant.
 */
public record SessionSettings(
        Duration inactivityTimeout,
        Duration maxLength,
        boolean splitOnCampaign,
        boolean splitAtMidnight,
        Duration dedupeWindow,
        int maxHitsPerVisitorDay)
        implements Serializable {
    public static final Duration DEFAULT_INACTIVITY_TIMEOUT = Duration.ofMinutes(30);
    public static final Duration DEFAULT_MAX_LENGTH = Duration.ofHours(24);
    public static final Duration DEFAULT_DEDUPE_WINDOW = Duration.ofHours(24);
    public static final int DEFAULT_MAX_HITS_PER_VISITOR_DAY = 10_000;

    /**
     * The longest maximum length a tenant may set: the sessionizer holds every hit of an open
     * session in state until it closes, so this bounds how long (and how many hits) a visitor's
     * state can grow; tenants may change their settings while the job runs.
     */
    public static final Duration LONGEST_MAX_LENGTH = Duration.ofHours(48);

    /**
     * The longest dedupe window a tenant may set. State holds every hit_id seen within the window,
     * so it grows linearly with it (BENCHMARKS.md: bytes per remembered hit_id); 72 hours is also
     * how old an event Google Analytics 4's Measurement Protocol still accepts, so a client retry
     * older than that is one no common collector expects to be taken.
     */
    public static final Duration LONGEST_DEDUPE_WINDOW = Duration.ofHours(72);

    /**
     * The highest cap a tenant may set: a capped visitor's state is at most this many hits a day,
     * and Piano's 250,000 events per visitor a day is the highest of the common tools.
     */
    public static final int HIGHEST_MAX_HITS_PER_VISITOR_DAY = 250_000;

    /** The settings with only the timeout and maximum length given, every other at its default. */
    public SessionSettings(Duration inactivityTimeout, Duration maxLength) {
        this(
                inactivityTimeout,
                maxLength,
                false,
                false,
                DEFAULT_DEDUPE_WINDOW,
                DEFAULT_MAX_HITS_PER_VISITOR_DAY);
    }

    public static SessionSettings defaults() {
        return new SessionSettings(DEFAULT_INACTIVITY_TIMEOUT, DEFAULT_MAX_LENGTH);
    }
}
