package dev.hitflow.udfs.consent;

import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.EnrichedHit;

/**
 * A hit of a visitor who opted out or asked for erasure, "suppressed from then on, whatever later
 * hits claim" (DESIGN.md): it is kept as an OPT_OUT hit, with no visitor ID, no session and nothing
 * OPT_OUT would not keep, so it still counts in hits and page views and nowhere else.
 */
public final class Suppression {
    private Suppression() {}

    public static EnrichedHit asOptedOut(EnrichedHit hit) {
        return EnrichedHit.newBuilder(hit)
                .setConsent(Consent.OPT_OUT)
                .setVisitorId(null)
                .setKeyVersion(null)
                .setIdKind(null)
                .setSessionId(null)
                .setGeoCell(ConsentPolicy.allowsGps(Consent.OPT_OUT) ? hit.getGeoCell() : null)
                .setForm(ConsentPolicy.allowsForm(Consent.OPT_OUT) ? hit.getForm() : null)
                .build();
    }
}
