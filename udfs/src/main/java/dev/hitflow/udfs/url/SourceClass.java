package dev.hitflow.udfs.url;

import java.util.Locale;

/** The traffic source classes of DESIGN.md. */
public enum SourceClass {
    DIRECT,
    SEARCH,
    SOCIAL,
    CAMPAIGN,
    INTERNAL,
    OTHER;

    /** The lower-case name stored in tables. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
