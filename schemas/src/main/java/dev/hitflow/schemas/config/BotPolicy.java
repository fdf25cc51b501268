package dev.hitflow.schemas.config;

/** What happens to hits from robots and crawlers. */
public enum BotPolicy {
    /** Kept in the hits table, flagged, but kept out of sessions and visitor counts. */
    EXCLUDE,
    /** Treated like any other visitor. */
    KEEP
}
