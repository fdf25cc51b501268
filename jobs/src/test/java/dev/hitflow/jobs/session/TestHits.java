package dev.hitflow.jobs.session;

import dev.hitflow.schemas.avro.Cart;
import dev.hitflow.schemas.avro.CartAction;
import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.Event;
import dev.hitflow.schemas.avro.HitType;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/** Enriched hits for session tests, with every required field filled. */
final class TestHits {
    static final String TENANT = "acme";
    static final String SITE = "site-fr-1";
    static final ZoneId ZONE = ZoneId.of("Europe/Paris");

    private TestHits() {}

    static EnrichedHit.Builder hit(String hitId, String visitor, long receivedAt, HitType type) {
        ZonedDateTime local = Instant.ofEpochMilli(receivedAt).atZone(ZONE);
        return EnrichedHit.newBuilder()
                .setTenantId(TENANT)
                .setSiteId(SITE)
                .setHitId(hitId)
                .setReceivedAt(receivedAt)
                .setDay((int) local.toLocalDate().toEpochDay())
                .setHour(local.getHour())
                .setTimeZone(ZONE.getId())
                .setHitType(type)
                .setVisitorId(visitor)
                .setKeyVersion("v1")
                .setConsent(Consent.OPT_IN)
                // What the gate copies from the test tenant: 30 min timeout, 2 h maximum length.
                .setInactivityTimeoutMs(SessionHarness.TIMEOUT.toMillis())
                .setMaxSessionMs(SessionHarness.MAX_LENGTH.toMillis());
    }

    static EnrichedHit page(String hitId, String visitor, long receivedAt, String page) {
        return hit(hitId, visitor, receivedAt, HitType.PAGE_VIEW).setPage(page).build();
    }

    static EnrichedHit heartbeat(String hitId, String visitor, long receivedAt) {
        return hit(hitId, visitor, receivedAt, HitType.HEARTBEAT).build();
    }

    static EnrichedHit event(String hitId, String visitor, long receivedAt) {
        return hit(hitId, visitor, receivedAt, HitType.EVENT)
                .setEvent(Event.newBuilder().setCategory("video").setAction("play").build())
                .build();
    }

    static EnrichedHit cart(
            String hitId,
            String visitor,
            long receivedAt,
            CartAction action,
            int quantity,
            long priceMinor,
            String currency) {
        return hit(hitId, visitor, receivedAt, HitType.CART)
                .setCart(
                        Cart.newBuilder()
                                .setAction(action)
                                .setProductId("p-1")
                                .setQuantity(quantity)
                                .setPriceMinor(priceMinor)
                                .setCurrency(currency)
                                .build())
                .build();
    }
}
