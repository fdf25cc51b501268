package dev.hitflow.jobs.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.Session;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sessionizer under the tenant options the gate copies into each hit: the dedupe window, the
 * daily hit cap per visitor, a new session on campaign change, sessions cut at local midnight.
 */
class SessionizeOptionsTest {
    private static final long MIN = 60_000L;
    private static final long HOUR = 60 * MIN;
    private static final long TIMEOUT = SessionHarness.TIMEOUT.toMillis();

    /** 2026-03-27 10:00 in Paris (UTC+1). */
    private static final long T0 = Instant.parse("2026-03-27T09:00:00Z").toEpochMilli();

    private final SessionHarness h = new SessionHarness();

    SessionizeOptionsTest() throws Exception {}

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private static EnrichedHit.Builder hit(String id, long at) {
        return TestHits.hit(id, "v", at, HitType.PAGE_VIEW).setPage("/" + id);
    }

    // --- dedupe window ---------------------------------------------------------------------

    @Test
    void aReplayIsDroppedUntilTheWatermarkPassesTheWindowThenComesBackLate() throws Exception {
        long window = 2 * HOUR;
        EnrichedHit a = hit("a", T0).setDedupeWindowMs(window).build();
        h.hit(a);
        h.watermark(T0 + TIMEOUT + 1);
        assertThat(h.takeHits()).extracting(EnrichedHit::getHitId).containsExactly("a");

        h.watermark(T0 + window); // the window's last instant: still remembered
        h.hit(a);
        assertThat(h.takeHits()).isEmpty();
        assertThat(h.counter("duplicate_hits")).isEqualTo(1);

        h.watermark(T0 + window + 1); // past it: forgotten
        h.hit(a);
        assertThat(h.takeHits())
                .extracting(EnrichedHit::getHitId, EnrichedHit::getLate)
                .containsExactly(tuple("a", true));
        assertThat(h.counter("duplicate_hits")).isEqualTo(1);
        assertThat(h.counter("lateHits")).isEqualTo(1);
    }

    @Test
    void aRetryReceivedAgainTwentyHoursLaterIsDroppedUnderTheDefaultWindow() throws Exception {
        EnrichedHit a = hit("a", T0).build();
        assertThat(a.getDedupeWindowMs()).isEqualTo(24 * HOUR);
        h.hit(a);
        h.watermark(T0 + 20 * HOUR);
        // the collector received the retried batch anew: same hit_id, a new received_at
        h.hit(hit("a", T0 + 20 * HOUR + MIN).build());
        h.watermark(Long.MAX_VALUE);
        assertThat(h.takeHits()).extracting(EnrichedHit::getHitId).containsExactly("a");
        assertThat(h.takeSessions()).hasSize(1);
        assertThat(h.counter("duplicate_hits")).isEqualTo(1);
        // everything forgotten at the end: sessions closed, hit_ids and day counts
        assertThat(h.harness.numKeyedStateEntries()).isZero();
    }

    // --- daily hit cap -----------------------------------------------------------------------

    @ParameterizedTest(name = "{0} hits, cap 3: {1} sessionized, {2} capped")
    @CsvSource({"2, 2, 0", "3, 3, 0", "4, 3, 1"})
    void hitsPastTheCapAreCountedNotSessionized(int hits, int sessionized, int capped)
            throws Exception {
        for (int i = 0; i < hits; i++) {
            h.hit(hit("h" + i, T0 + i * MIN).setMaxHitsPerVisitorDay(3).build());
        }
        // one key's states: its open hits (a map, holding the sessionized hits only) and its
        // OpenKey, which keeps the day's count while the key is open
        assertThat(h.harness.numKeyedStateEntries()).isEqualTo(2);
        h.watermark(Long.MAX_VALUE);
        assertThat(h.takeSessions()).extracting(Session::getHits).containsExactly(sessionized);
        assertThat(h.takeHits()).hasSize(sessionized);
        assertThat(h.takeCapped())
                .extracting(EnrichedHit::getHitId)
                .containsExactlyElementsOf(capped == 0 ? List.of() : List.of("h" + (hits - 1)));
        assertThat(h.counter("capped_hits")).isEqualTo(capped);
    }

    @Test
    void theCapCountsEverySessionOfTheLocalDayAndStartsAgainTheNextDay() throws Exception {
        // two sessions on the 27th (an hour apart), then the 28th in Paris
        long nextDay = Instant.parse("2026-03-27T23:00:00Z").toEpochMilli();
        List<EnrichedHit> hits =
                List.of(
                        hit("a", T0).setMaxHitsPerVisitorDay(3).build(),
                        hit("b", T0 + MIN).setMaxHitsPerVisitorDay(3).build(),
                        hit("c", T0 + HOUR).setMaxHitsPerVisitorDay(3).build(),
                        hit("d", T0 + HOUR + MIN).setMaxHitsPerVisitorDay(3).build(),
                        hit("e", nextDay).setMaxHitsPerVisitorDay(3).build());
        h.hit(hits.get(0));
        h.hit(hits.get(1));
        h.watermark(T0 + MIN + TIMEOUT + 1); // the first session closes; the day's count stays
        h.hit(hits.get(2));
        h.hit(hits.get(3));
        h.watermark(nextDay - 1);
        h.hit(hits.get(4));
        h.watermark(Long.MAX_VALUE);
        assertThat(h.takeSessions())
                .extracting(Session::getEntryPage, Session::getHits)
                .containsExactly(tuple("/a", 2), tuple("/c", 1), tuple("/e", 1));
        assertThat(h.takeCapped()).extracting(EnrichedHit::getHitId).containsExactly("d");
        assertThat(h.harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aLateHitCountsInItsOwnDay() throws Exception {
        h.hit(hit("a", T0).setMaxHitsPerVisitorDay(1).build());
        h.watermark(T0 + 2 * HOUR);
        h.hit(hit("late", T0 + HOUR).setMaxHitsPerVisitorDay(1).build());
        assertThat(h.takeCapped()).extracting(EnrichedHit::getHitId).containsExactly("late");
        assertThat(h.counter("lateHits")).isZero();
    }

    // --- campaign change ---------------------------------------------------------------------

    private static EnrichedHit viaCampaign(String id, long at, String name, boolean split) {
        return hit(id, at)
                .setCampaignSource(name == null ? null : "newsletter")
                .setCampaignMedium(name == null ? null : "email")
                .setCampaignName(name)
                .setSplitOnCampaign(split)
                .build();
    }

    @ParameterizedTest(name = "split_on_campaign: {0}")
    @CsvSource({"false, 1", "true, 3"})
    void aNewCampaignStartsANewSessionWhenTheTenantAsksForIt(boolean split, int sessions)
            throws Exception {
        h.hit(viaCampaign("a", T0, "spring", split));
        h.hit(viaCampaign("b", T0 + MIN, null, split));
        h.hit(viaCampaign("c", T0 + 2 * MIN, "summer", split));
        h.hit(viaCampaign("d", T0 + 3 * MIN, null, split));
        h.hit(viaCampaign("e", T0 + 4 * MIN, "spring", split));
        h.watermark(Long.MAX_VALUE);
        List<Session> out = h.takeSessions();
        assertThat(out).hasSize(sessions);
        if (split) {
            assertThat(out)
                    .extracting(Session::getCampaignName, Session::getHits)
                    .containsExactly(tuple("spring", 2), tuple("summer", 2), tuple("spring", 1));
        } else {
            assertThat(out)
                    .extracting(Session::getCampaignName, Session::getHits)
                    .containsExactly(tuple("spring", 5));
        }
    }

    // --- local midnight ----------------------------------------------------------------------

    private static EnrichedHit atMidnightRule(String id, long at, boolean split) {
        return TestHits.hit(id, "v", at, HitType.HEARTBEAT)
                .setMaxSessionMs(24 * HOUR)
                .setSplitAtMidnight(split)
                .build();
    }

    @ParameterizedTest(name = "split_at_midnight: {0}")
    @CsvSource({"false", "true"})
    void aSessionAcrossLocalMidnightIsCutThereWhenTheTenantAsksForIt(boolean split)
            throws Exception {
        // Paris, Saturday 2026-03-28 23:50 to Sunday 00:10 (UTC+1), then through the night to
        // Monday 00:10: Sunday 2026-03-29 has 23 hours (02:00 becomes 03:00)
        long saturday = Instant.parse("2026-03-28T22:50:00Z").toEpochMilli();
        long sundayEnd = Instant.parse("2026-03-29T22:00:00Z").toEpochMilli();
        for (long t = saturday; t <= sundayEnd + 10 * MIN; t += 20 * MIN) {
            h.hit(atMidnightRule("t" + t, t, split));
        }
        h.watermark(Long.MAX_VALUE);
        List<Session> sessions = h.takeSessions();
        if (split) {
            assertThat(sessions)
                    .extracting(Session::getStartedAt, Session::getEndedAt)
                    .containsExactly(
                            tuple(saturday, saturday),
                            tuple(saturday + 20 * MIN, sundayEnd - 10 * MIN),
                            tuple(sundayEnd + 10 * MIN, sundayEnd + 10 * MIN));
            // Sunday's session lasts the whole 23-hour day but its first and last 10 minutes
            assertThat(sessions.get(1).getDurationMs()).isEqualTo(23 * HOUR - 20 * MIN);
        } else {
            assertThat(sessions)
                    .extracting(Session::getStartedAt, Session::getEndedAt)
                    .containsExactly(tuple(saturday, sundayEnd + 10 * MIN));
        }
    }
}
