package dev.hitflow.schemas.config;

import java.io.Serializable;
import java.time.Duration;

/** When a session ends: after an inactivity gap, or when it would grow past a maximum length. */
public record SessionSettings(Duration inactivityTimeout, Duration maxLength)
        implements Serializable {
    public static final Duration DEFAULT_INACTIVITY_TIMEOUT = Duration.ofMinutes(30);
    public static final Duration DEFAULT_MAX_LENGTH = Duration.ofHours(24);

    public static SessionSettings defaults() {
        return new SessionSettings(DEFAULT_INACTIVITY_TIMEOUT, DEFAULT_MAX_LENGTH);
    }
}
