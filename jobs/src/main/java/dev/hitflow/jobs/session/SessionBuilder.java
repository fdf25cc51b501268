package dev.hitflow.jobs.session;

import dev.hitflow.schemas.avro.CartAction;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.Session;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds the complete {@link Session} record from the ordered hits of one session. */
public final class SessionBuilder {

    /** Path entry of a page view whose hit carries no page label (and no URL). */
    public static final String UNKNOWN_PAGE = "(not set)";

    private SessionBuilder() {}

    /**
     * The session of {@code hits}, which must be non-empty, distinct by hit_id, of one key and in
     * {@link SessionRules#ORDER}. {@code zone} is the tenant's time zone, giving the session's day.
     */
    public static Session build(List<EnrichedHit> hits, ZoneId zone) {
        if (hits.isEmpty()) {
            throw new IllegalArgumentException("a session has at least one hit");
        }
        EnrichedHit first = hits.get(0);
        long startedAt = first.getReceivedAt();
        long endedAt = hits.get(hits.size() - 1).getReceivedAt();

        List<String> path = new ArrayList<>();
        List<Long> pageTimes = new ArrayList<>();
        int events = 0;
        int cartAdds = 0;
        int purchases = 0;
        Map<String, Long> revenue = new TreeMap<>();
        for (EnrichedHit hit : hits) {
            switch (hit.getHitType()) {
                case PAGE_VIEW -> {
                    path.add(pageOf(hit));
                    pageTimes.add(hit.getReceivedAt());
                }
                case EVENT -> events++;
                case CART -> {
                    if (hit.getCart() != null && hit.getCart().getAction() == CartAction.ADD) {
                        cartAdds++;
                    } else if (hit.getCart() != null
                            && hit.getCart().getAction() == CartAction.PURCHASE) {
                        purchases++;
                        long amount =
                                Math.multiplyExact(
                                        hit.getCart().getPriceMinor(),
                                        (long) hit.getCart().getQuantity());
                        revenue.merge(hit.getCart().getCurrency(), amount, Math::addExact);
                    }
                }
                case HEARTBEAT -> {
                    // Extends activity only: it moves ended_at and the last page's time.
                }
            }
        }
        // A page is left when the next page view opens; the last page lasts to the last hit
        // of the session (an event or heartbeat after it shows the visitor was still there).
        List<Long> timeOnPage = new ArrayList<>(pageTimes.size());
        for (int i = 0; i < pageTimes.size(); i++) {
            long leftAt = i + 1 < pageTimes.size() ? pageTimes.get(i + 1) : endedAt;
            timeOnPage.add(leftAt - pageTimes.get(i));
        }

        return Session.newBuilder()
                .setTenantId(first.getTenantId())
                .setSiteId(first.getSiteId())
                .setSessionId(sessionId(first))
                .setVisitorId(first.getVisitorId())
                .setKeyVersion(first.getKeyVersion())
                .setDay(
                        (int)
                                LocalDate.ofInstant(Instant.ofEpochMilli(startedAt), zone)
                                        .toEpochDay())
                .setTimeZone(zone.getId())
                .setStartedAt(startedAt)
                .setEndedAt(endedAt)
                .setDurationMs(endedAt - startedAt)
                .setHits(hits.size())
                .setPageViews(path.size())
                .setPath(path)
                .setEntryPage(path.isEmpty() ? null : path.get(0))
                .setExitPage(path.isEmpty() ? null : path.get(path.size() - 1))
                .setTimeOnPageMs(timeOnPage)
                .setBounce(path.size() == 1)
                .setEvents(events)
                .setCartAdds(cartAdds)
                .setPurchases(purchases)
                .setRevenue(new LinkedHashMap<>(revenue))
                .setCountry(first.getCountry())
                .setRegion(first.getRegion())
                .setCity(first.getCity())
                .setDeviceClass(first.getDeviceClass())
                .setOsName(first.getOsName())
                .setAgentName(first.getAgentName())
                .setSourceClass(first.getSourceClass())
                .setReferrerHost(first.getReferrerHost())
                .setCampaignSource(first.getCampaignSource())
                .setCampaignMedium(first.getCampaignMedium())
                .setCampaignName(first.getCampaignName())
                .setCampaignTerm(first.getCampaignTerm())
                .setCampaignContent(first.getCampaignContent())
                .build();
    }

    /**
     * Deterministic session ID: the first 16 bytes of SHA-256 over tenant, site, visitor, start and
     * first hit_id, in hex. A replay of the same hits gives the same ID, so re-running a day
     * rewrites the same rows.
     */
    public static String sessionId(EnrichedHit first) {
        String material =
                first.getTenantId()
                        + '\u0000'
                        + first.getSiteId()
                        + '\u0000'
                        + first.getVisitorId()
                        + '\u0000'
                        + first.getReceivedAt()
                        + '\u0000'
                        + first.getHitId();
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(material.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    static String pageOf(EnrichedHit hit) {
        if (hit.getPage() != null) {
            return hit.getPage();
        }
        return hit.getUrl() != null ? hit.getUrl() : UNKNOWN_PAGE;
    }
}
