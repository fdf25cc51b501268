package dev.hitflow.schemas.config;

import java.io.Serializable;
import java.time.Duration;

/** When a session ends: after an inactivity gap, or when it would grow past a maximum length. */
public record SessionSettings(Duration inactivityTimeout, Duration maxLength)
        implements Serializable {
    public static final Duration DEFAULT_INACTIVITY_TIMEOUT = Duration.ofMinutes(30);
    public static final Duration DEFAULT_MAX_LENGTH = Duration.ofHours(24);

    /**
     * The longest maximum length a tenant may set: the sessionizer holds every hit of an open
     * session in state until it closes, so this bounds how long (and how many hits) a visitor's
     * state can grow; tenants may change their settings while the job runs.
     */
    public static final Duration LONGEST_MAX_LENGTH = Duration.ofHours(48);

    public static SessionSettings defaults() {
        return new SessionSettings(DEFAULT_INACTIVITY_TIMEOUT, DEFAULT_MAX_LENGTH);
    }
}
