package dev.hitflow.jobs.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.avro.CartAction;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.Session;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Generated visitor streams with gaps around the timeout, heartbeats and replays, delivered with
 * disorder inside the watermark bound: the sessionizer must give exactly what a plain in-order
 * reference (written here, sharing no code with the operator but the session ID hash) gives.
 */
class SessionizeRandomizedTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long TIMEOUT = SessionHarness.TIMEOUT.toMillis();
    private static final long MAX = SessionHarness.MAX_LENGTH.toMillis();
    private static final long BOUND = SessionHarness.BOUND.toMillis();
    private static final String[] PAGES = {"/", "/a", "/b", "/c", "/cart", "/checkout"};
    private static final String[] CURRENCIES = {"EUR", "USD"};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void disorderedDeliveryGivesTheInOrderSessions(long seed) throws Exception {
        Random random = new Random(seed);
        List<EnrichedHit> distinct = new ArrayList<>();
        for (int v = 0; v < 6; v++) {
            distinct.addAll(visitorStream(random, "visitor-" + v, 20 + random.nextInt(60)));
        }
        // Deliveries: every hit once, some twice (replays), each delayed by less than the bound.
        record Delivery(EnrichedHit hit, long arrival, int seq) {}
        List<Delivery> deliveries = new ArrayList<>();
        int seq = 0;
        for (EnrichedHit hit : distinct) {
            int copies = random.nextInt(10) == 0 ? 2 : 1;
            for (int c = 0; c < copies; c++) {
                deliveries.add(
                        new Delivery(hit, hit.getReceivedAt() + random.nextLong(BOUND), seq++));
            }
        }
        deliveries.sort(
                Comparator.comparingLong(Delivery::arrival).thenComparingInt(Delivery::seq));

        List<EnrichedHit> outHits = new ArrayList<>();
        List<Session> outSessions = new ArrayList<>();
        try (SessionHarness h = new SessionHarness()) {
            long maxSeen = Long.MIN_VALUE;
            long watermark = Long.MIN_VALUE;
            for (Delivery d : deliveries) {
                h.hit(d.hit());
                maxSeen = Math.max(maxSeen, d.hit().getReceivedAt());
                // As Flink's bounded-out-of-orderness strategy: max seen - bound - 1.
                if (maxSeen - BOUND - 1 > watermark) {
                    watermark = maxSeen - BOUND - 1;
                    h.watermark(watermark);
                }
                outHits.addAll(h.takeHits());
                outSessions.addAll(h.takeSessions());
            }
            h.watermark(Long.MAX_VALUE);
            outHits.addAll(h.takeHits());
            outSessions.addAll(h.takeSessions());
        }

        List<Session> expected = referenceSessions(distinct);
        Map<String, String> expectedSessionOfHit = new HashMap<>();
        for (List<EnrichedHit> session : referenceSplit(distinct)) {
            for (EnrichedHit hit : session) {
                expectedSessionOfHit.put(hit.getHitId(), SessionBuilder.sessionId(session.get(0)));
            }
        }

        Comparator<Session> bySessionId = Comparator.comparing(Session::getSessionId);
        assertThat(outSessions.stream().sorted(bySessionId).toList())
                .isEqualTo(expected.stream().sorted(bySessionId).toList());
        assertThat(outHits).hasSize(distinct.size()).noneMatch(EnrichedHit::getLate);
        Map<String, String> actualSessionOfHit = new HashMap<>();
        for (EnrichedHit hit : outHits) {
            actualSessionOfHit.put(hit.getHitId(), hit.getSessionId());
        }
        assertThat(actualSessionOfHit).isEqualTo(expectedSessionOfHit);
    }

    private static List<EnrichedHit> visitorStream(Random random, String visitor, int count) {
        List<EnrichedHit> hits = new ArrayList<>();
        long at = T0 + random.nextLong(10 * 60_000L);
        long[] specialGaps = {0, 1, TIMEOUT - 1, TIMEOUT, TIMEOUT + 1, 2 * TIMEOUT};
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                at +=
                        random.nextInt(3) == 0
                                ? specialGaps[random.nextInt(specialGaps.length)]
                                : random.nextLong(20 * 60_000L);
            }
            String id = visitor + "-" + i;
            int kind = random.nextInt(10);
            EnrichedHit.Builder b;
            if (kind < 5) {
                b =
                        TestHits.hit(id, visitor, at, HitType.PAGE_VIEW)
                                .setPage(PAGES[random.nextInt(PAGES.length)]);
            } else if (kind < 7) {
                b = TestHits.hit(id, visitor, at, HitType.HEARTBEAT);
            } else if (kind < 8) {
                hits.add(TestHits.event(id, visitor, at));
                continue;
            } else {
                CartAction action = random.nextBoolean() ? CartAction.ADD : CartAction.PURCHASE;
                hits.add(
                        TestHits.cart(
                                id,
                                visitor,
                                at,
                                action,
                                1 + random.nextInt(3),
                                100 + random.nextInt(5000),
                                CURRENCIES[random.nextInt(2)]));
                continue;
            }
            if (random.nextInt(4) == 0) {
                b.setCountry("FR")
                        .setCity("Lyon")
                        .setSourceClass("search")
                        .setReferrerHost("www.google.com");
            }
            hits.add(b.build());
        }
        return hits;
    }

    /** In-order reference: sort by (received_at, hit_id), walk once, cut on gap or length. */
    private static List<List<EnrichedHit>> referenceSplit(List<EnrichedHit> distinct) {
        Map<String, List<EnrichedHit>> byKey = new TreeMap<>();
        for (EnrichedHit hit : distinct) {
            byKey.computeIfAbsent(
                            hit.getSiteId() + "|" + hit.getVisitorId(), k -> new ArrayList<>())
                    .add(hit);
        }
        List<List<EnrichedHit>> sessions = new ArrayList<>();
        for (List<EnrichedHit> hits : byKey.values()) {
            hits.sort(
                    Comparator.comparingLong(EnrichedHit::getReceivedAt)
                            .thenComparing(EnrichedHit::getHitId));
            List<EnrichedHit> current = new ArrayList<>();
            for (EnrichedHit hit : hits) {
                if (!current.isEmpty()) {
                    long start = current.get(0).getReceivedAt();
                    long previous = current.get(current.size() - 1).getReceivedAt();
                    if (hit.getReceivedAt() - previous > TIMEOUT
                            || hit.getReceivedAt() - start > MAX) {
                        sessions.add(current);
                        current = new ArrayList<>();
                    }
                }
                current.add(hit);
            }
            sessions.add(current);
        }
        return sessions;
    }

    private static List<Session> referenceSessions(List<EnrichedHit> distinct) {
        List<Session> sessions = new ArrayList<>();
        for (List<EnrichedHit> hits : referenceSplit(distinct)) {
            EnrichedHit first = hits.get(0);
            EnrichedHit last = hits.get(hits.size() - 1);
            List<EnrichedHit> pages =
                    hits.stream().filter(x -> x.getHitType() == HitType.PAGE_VIEW).toList();
            List<Long> times = new ArrayList<>();
            for (int i = 0; i < pages.size(); i++) {
                long end =
                        i == pages.size() - 1
                                ? last.getReceivedAt()
                                : pages.get(i + 1).getReceivedAt();
                times.add(end - pages.get(i).getReceivedAt());
            }
            Map<String, Long> revenue = new LinkedHashMap<>();
            int adds = 0;
            int purchases = 0;
            for (EnrichedHit x : hits) {
                if (x.getCart() == null) {
                    continue;
                }
                if (x.getCart().getAction() == CartAction.ADD) {
                    adds++;
                } else if (x.getCart().getAction() == CartAction.PURCHASE) {
                    purchases++;
                    revenue.merge(
                            x.getCart().getCurrency(),
                            x.getCart().getPriceMinor() * x.getCart().getQuantity(),
                            Long::sum);
                }
            }
            List<String> path = pages.stream().map(EnrichedHit::getPage).toList();
            sessions.add(
                    Session.newBuilder()
                            .setTenantId(TestHits.TENANT)
                            .setSiteId(first.getSiteId())
                            .setSessionId(SessionBuilder.sessionId(first))
                            .setVisitorId(first.getVisitorId())
                            .setKeyVersion(first.getKeyVersion())
                            .setDay(
                                    (int)
                                            LocalDate.ofInstant(
                                                            Instant.ofEpochMilli(
                                                                    first.getReceivedAt()),
                                                            TestHits.ZONE)
                                                    .toEpochDay())
                            .setTimeZone(TestHits.ZONE.getId())
                            .setStartedAt(first.getReceivedAt())
                            .setEndedAt(last.getReceivedAt())
                            .setDurationMs(last.getReceivedAt() - first.getReceivedAt())
                            .setHits(hits.size())
                            .setPageViews(pages.size())
                            .setPath(path)
                            .setEntryPage(path.isEmpty() ? null : path.get(0))
                            .setExitPage(path.isEmpty() ? null : path.get(path.size() - 1))
                            .setTimeOnPageMs(times)
                            .setBounce(pages.size() == 1)
                            .setEvents(
                                    (int)
                                            hits.stream()
                                                    .filter(x -> x.getHitType() == HitType.EVENT)
                                                    .count())
                            .setCartAdds(adds)
                            .setPurchases(purchases)
                            .setRevenue(revenue)
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
                            .build());
        }
        return sessions;
    }
}
