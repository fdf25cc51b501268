package dev.hitflow.udfs.consent;

import dev.hitflow.schemas.avro.Consent;

/**
 * What each consent mode permits (DESIGN.md, "Consent modes"): OPT_IN full processing; EXEMPT
 * audience measurement without user_id, GPS, form data or non-allowlisted properties; OPT_OUT and
 * NO_CONSENT no visitor ID and no session, counted only in aggregates.
 */
public final class ConsentPolicy {
    private ConsentPolicy() {}

    /** The hit's consent, else the tenant's default. */
    public static Consent effective(Consent hit, Consent tenantDefault) {
        return hit != null ? hit : tenantDefault;
    }

    public static boolean allowsVisitorId(Consent c) {
        return c == Consent.OPT_IN || c == Consent.EXEMPT;
    }

    public static boolean allowsSession(Consent c) {
        return allowsVisitorId(c);
    }

    public static boolean allowsUserId(Consent c) {
        return c == Consent.OPT_IN;
    }

    public static boolean allowsGps(Consent c) {
        return c == Consent.OPT_IN;
    }

    public static boolean allowsForm(Consent c) {
        return c == Consent.OPT_IN;
    }

    /** Allowlisted custom properties are kept under every mode; others never are. */
    public static boolean allowsAllowlistedProperties(Consent c) {
        return true;
    }
}
