package dev.hitflow.jobs.session;

import static dev.hitflow.jobs.session.TestHits.heartbeat;
import static dev.hitflow.jobs.session.TestHits.page;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionRulesTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_700_000_000_000L;
    private final SessionRules rules = new SessionRules(30 * MIN, 120 * MIN);

    private static List<List<String>> ids(List<List<EnrichedHit>> sessions) {
        return sessions.stream().map(s -> s.stream().map(EnrichedHit::getHitId).toList()).toList();
    }

    @Test
    void gapEqualToTimeoutStaysAndOneMillisecondMoreSplits() {
        assertThat(
                        ids(
                                rules.split(
                                        List.of(
                                                page("a", "v", T0, "/"),
                                                page("b", "v", T0 + 30 * MIN, "/x")))))
                .containsExactly(List.of("a", "b"));
        assertThat(
                        ids(
                                rules.split(
                                        List.of(
                                                page("a", "v", T0, "/"),
                                                page("b", "v", T0 + 30 * MIN + 1, "/x")))))
                .containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void maximumLengthSplitsWhenExceededNotWhenReached() {
        List<EnrichedHit> hits =
                List.of(
                        page("a", "v", T0, "/"),
                        heartbeat("b", "v", T0 + 25 * MIN),
                        heartbeat("c", "v", T0 + 50 * MIN),
                        heartbeat("d", "v", T0 + 75 * MIN),
                        heartbeat("e", "v", T0 + 100 * MIN),
                        page("f", "v", T0 + 120 * MIN, "/end"),
                        page("g", "v", T0 + 120 * MIN + 1, "/next"));
        assertThat(ids(rules.split(hits)))
                .containsExactly(List.of("a", "b", "c", "d", "e", "f"), List.of("g"));
    }

    @Test
    void duplicatesCountOnceAndInputOrderDoesNotMatter() {
        List<EnrichedHit> hits =
                List.of(
                        page("c", "v", T0 + 31 * MIN, "/c"),
                        page("a", "v", T0, "/a"),
                        page("b", "v", T0 + 20 * MIN, "/b"),
                        page("a", "v", T0, "/a"));
        assertThat(ids(rules.split(hits))).containsExactly(List.of("a", "b", "c"));
    }

    @Test
    void equalTimesAreOrderedByHitId() {
        assertThat(ids(rules.split(List.of(page("z", "v", T0, "/z"), page("m", "v", T0, "/m")))))
                .containsExactly(List.of("m", "z"));
    }

    @Test
    void sessionClosesOnlyOnceTheWatermarkPassesLastHitPlusTimeout() {
        assertThat(rules.isClosed(T0, T0 + 30 * MIN)).isFalse();
        assertThat(rules.isClosed(T0, T0 + 30 * MIN + 1)).isTrue();
        assertThat(rules.isClosed(T0, Long.MAX_VALUE)).isTrue();
    }

    /** A page view through a campaign (source, medium, name), or none when all three are null. */
    private static EnrichedHit campaign(
            String id, long at, String source, String medium, String name) {
        return TestHits.hit(id, "v", at, HitType.PAGE_VIEW)
                .setPage("/" + id)
                .setCampaignSource(source)
                .setCampaignMedium(medium)
                .setCampaignName(name)
                .build();
    }

    private static final SessionRules ON_CAMPAIGN =
            new SessionRules(30 * MIN, 120 * MIN, true, false);
    private static final SessionRules AT_MIDNIGHT =
            new SessionRules(30 * MIN, 24 * 60 * MIN, false, true);

    @Test
    void aDifferentCampaignStartsANewSessionOnlyWhenTheTenantAsksForIt() {
        List<EnrichedHit> hits =
                List.of(
                        campaign("a", T0, "news", "email", "spring"),
                        campaign("b", T0 + MIN, null, null, null),
                        campaign("c", T0 + 2 * MIN, "news", "email", "spring"),
                        campaign("d", T0 + 3 * MIN, "news", "email", "summer"),
                        campaign("e", T0 + 4 * MIN, "google", "cpc", "summer"),
                        campaign("f", T0 + 5 * MIN, "google", null, "summer"),
                        campaign("g", T0 + 6 * MIN, null, null, null));
        assertThat(ids(rules.split(hits)))
                .containsExactly(List.of("a", "b", "c", "d", "e", "f", "g"));
        // a hit without a campaign stays (b, g); the same campaign again stays (c); any of
        // source, medium or name different starts a new session (d, e, f)
        assertThat(ids(ON_CAMPAIGN.split(hits)))
                .containsExactly(
                        List.of("a", "b", "c"), List.of("d"), List.of("e"), List.of("f", "g"));
    }

    @Test
    void aCampaignInASessionWithoutOneStartsANewSessionAndTheTimeoutStillSplits() {
        List<EnrichedHit> hits =
                List.of(
                        campaign("a", T0, null, null, null),
                        campaign("b", T0 + MIN, "news", "email", "spring"),
                        campaign("c", T0 + 2 * MIN, null, null, null),
                        // same campaign, but past the timeout: a new session all the same
                        campaign("d", T0 + 33 * MIN, "news", "email", "spring"),
                        campaign("e", T0 + 34 * MIN, "news", "email", "spring"));
        assertThat(ids(ON_CAMPAIGN.split(hits)))
                .containsExactly(List.of("a"), List.of("b", "c"), List.of("d", "e"));
    }

    @Test
    void localMidnightCutsASessionOnlyWhenTheTenantAsksForIt() {
        // 2026-03-27 23:50 and 2026-03-28 00:10 in Paris (UTC+1)
        long beforeMidnight = Instant.parse("2026-03-27T22:50:00Z").toEpochMilli();
        List<EnrichedHit> hits =
                List.of(
                        page("a", "v", beforeMidnight, "/a"),
                        page("b", "v", beforeMidnight + 9 * MIN + 59_999, "/b"),
                        page("c", "v", beforeMidnight + 10 * MIN, "/c"),
                        page("d", "v", beforeMidnight + 20 * MIN, "/d"));
        assertThat(ids(rules.split(hits))).containsExactly(List.of("a", "b", "c", "d"));
        assertThat(ids(AT_MIDNIGHT.split(hits)))
                .containsExactly(List.of("a", "b"), List.of("c", "d"));
    }

    @Test
    void localMidnightFollowsTheTenantsZoneOnDaylightSavingDays() {
        // Paris, Sunday 2026-03-29: 02:00 becomes 03:00 (a 23-hour day); Sunday 2026-10-25:
        // 03:00 becomes 02:00 (25 hours). Midnight is 23:00 UTC the day before in winter time,
        // 22:00 UTC in summer time; the hours around the changes are no midnight.
        long springStart = Instant.parse("2026-03-28T23:00:00Z").toEpochMilli();
        long springEnd = Instant.parse("2026-03-29T22:00:00Z").toEpochMilli();
        long autumnEnd = Instant.parse("2026-10-25T23:00:00Z").toEpochMilli();
        assertThat(SessionRules.dayEnd(dayOf(springStart - 1), TestHits.ZONE))
                .isEqualTo(springStart);
        assertThat(springEnd - SessionRules.dayEnd(dayOf(springStart - 1), TestHits.ZONE))
                .isEqualTo(23 * 60 * MIN);
        assertThat(SessionRules.dayEnd(dayOf(autumnEnd - 1), TestHits.ZONE)).isEqualTo(autumnEnd);
        assertThat(autumnEnd - SessionRules.dayEnd(dayOf(autumnEnd - 1) - 1, TestHits.ZONE))
                .isEqualTo(25 * 60 * MIN);

        List<EnrichedHit> spring =
                List.of(
                        page("a", "v", springStart - 10 * MIN, "/a"),
                        // 01:55 and 03:05 local, 10 minutes apart across the missing hour
                        page("b", "v", springStart + 115 * MIN, "/b"),
                        page("c", "v", springStart + 125 * MIN, "/c"),
                        page("d", "v", springEnd - MIN, "/d"),
                        page("e", "v", springEnd + MIN, "/e"));
        List<EnrichedHit> chained = new java.util.ArrayList<>(spring);
        // heartbeats every 20 minutes keep one visit from a to e
        for (long t = springStart; t < springEnd; t += 20 * MIN) {
            chained.add(heartbeat("hb" + t, "v", t));
        }
        List<List<String>> sessions = ids(AT_MIDNIGHT.split(chained));
        assertThat(sessions).hasSize(3);
        assertThat(sessions.get(0)).containsExactly("a");
        assertThat(sessions.get(1)).startsWith("hb" + springStart).contains("b", "c", "d");
        assertThat(sessions.get(2)).containsExactly("e");
    }

    private static int dayOf(long at) {
        return (int) Instant.ofEpochMilli(at).atZone(TestHits.ZONE).toLocalDate().toEpochDay();
    }

    @Test
    void aReplayIsForgottenOnceTheWatermarkPassesTheWindow() {
        assertThat(SessionRules.forgetAt(T0, 24 * 60 * MIN)).isEqualTo(T0 + 24 * 60 * MIN + 1);
    }
}
