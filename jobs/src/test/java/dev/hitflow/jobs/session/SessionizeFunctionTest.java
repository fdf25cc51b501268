package dev.hitflow.jobs.session;

import static dev.hitflow.jobs.session.TestHits.heartbeat;
import static dev.hitflow.jobs.session.TestHits.page;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.Session;
import dev.hitflow.schemas.config.SessionSettings;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SessionizeFunctionTest {
    private static final long MIN = 60_000L;
    private static final long SEC = 1_000L;
    private static final long T0 = 1_700_000_000_000L;
    private static final long TIMEOUT = SessionHarness.TIMEOUT.toMillis();

    private final SessionHarness h = new SessionHarness();

    SessionizeFunctionTest() throws Exception {}

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    private static String idOf(EnrichedHit first) {
        return SessionBuilder.sessionId(first);
    }

    @Test
    void gapEqualToTimeoutStaysInTheSessionWhichClosesOnlyAfterLastHitPlusTimeout()
            throws Exception {
        EnrichedHit a = page("a", "v", T0, "/a");
        EnrichedHit b = page("b", "v", T0 + TIMEOUT, "/b");
        h.hit(a);
        h.hit(b);
        h.watermark(T0 + 2 * TIMEOUT);
        assertThat(h.takeHits()).isEmpty();
        assertThat(h.takeSessions()).isEmpty();

        h.watermark(T0 + 2 * TIMEOUT + 1);
        assertThat(h.takeHits())
                .extracting(EnrichedHit::getHitId, EnrichedHit::getSessionId, EnrichedHit::getLate)
                .containsExactly(tuple("a", idOf(a), false), tuple("b", idOf(a), false));
        List<Session> sessions = h.takeSessions();
        assertThat(sessions).hasSize(1);
        Session s = sessions.get(0);
        assertThat(s.getSessionId()).isEqualTo(idOf(a));
        assertThat(s.getStartedAt()).isEqualTo(T0);
        assertThat(s.getEndedAt()).isEqualTo(T0 + TIMEOUT);
        assertThat(s.getDurationMs()).isEqualTo(TIMEOUT);
        assertThat(s.getHits()).isEqualTo(2);
        assertThat(s.getPath()).containsExactly("/a", "/b");
        assertThat(s.getTimeOnPageMs()).containsExactly(TIMEOUT, 0L);
    }

    @Test
    void gapOfTimeoutPlusOneMillisecondStartsANewSession() throws Exception {
        EnrichedHit a = page("a", "v", T0, "/a");
        EnrichedHit b = page("b", "v", T0 + TIMEOUT + 1, "/b");
        h.hit(a);
        assertThat(h.gauge("openSessions")).isEqualTo(1L);
        h.hit(b);
        // The first session closes as soon as the watermark passes a + timeout.
        h.watermark(T0 + TIMEOUT + 1);
        assertThat(h.takeHits())
                .extracting(EnrichedHit::getHitId, EnrichedHit::getSessionId)
                .containsExactly(tuple("a", idOf(a)));
        assertThat(h.takeSessions())
                .extracting(Session::getSessionId, Session::getHits, Session::getBounce)
                .containsExactly(tuple(idOf(a), 1, true));

        h.watermark(Long.MAX_VALUE);
        assertThat(h.gauge("openSessions")).isEqualTo(0L);
        assertThat(h.takeHits())
                .extracting(EnrichedHit::getHitId, EnrichedHit::getSessionId)
                .containsExactly(tuple("b", idOf(b)));
        assertThat(h.takeSessions())
                .extracting(Session::getSessionId, Session::getStartedAt, Session::getEntryPage)
                .containsExactly(tuple(idOf(b), T0 + TIMEOUT + 1, "/b"));
    }

    @Test
    void sessionIsCutWhenItWouldGrowPastTheMaximumLength() throws Exception {
        long max = SessionHarness.MAX_LENGTH.toMillis();
        EnrichedHit first = page("p0", "v", T0, "/start");
        h.hit(first);
        for (int i = 1; i <= 6; i++) {
            h.hit(heartbeat("hb" + i, "v", T0 + i * 20 * MIN));
        }
        EnrichedHit next = page("p1", "v", T0 + max + 1, "/after");
        h.hit(next);
        h.watermark(Long.MAX_VALUE);
        assertThat(h.takeSessions())
                .extracting(
                        Session::getSessionId,
                        Session::getStartedAt,
                        Session::getEndedAt,
                        Session::getHits,
                        Session::getPageViews)
                .containsExactly(
                        tuple(idOf(first), T0, T0 + max, 7, 1),
                        tuple(idOf(next), T0 + max + 1, T0 + max + 1, 1, 1));
    }

    @Test
    void heartbeatsKeepASessionAliveWithoutCountingAsPageViews() throws Exception {
        EnrichedHit a = page("a", "v", T0, "/a");
        h.hit(a);
        h.hit(heartbeat("hb1", "v", T0 + 25 * MIN));
        h.hit(heartbeat("hb2", "v", T0 + 50 * MIN));
        h.hit(page("b", "v", T0 + 75 * MIN, "/b"));
        h.watermark(Long.MAX_VALUE);
        assertThat(h.takeHits())
                .extracting(EnrichedHit::getHitId, EnrichedHit::getSessionId)
                .containsExactly(
                        tuple("a", idOf(a)),
                        tuple("hb1", idOf(a)),
                        tuple("hb2", idOf(a)),
                        tuple("b", idOf(a)));
        Session s = h.takeSessions().get(0);
        assertThat(s.getHits()).isEqualTo(4);
        assertThat(s.getPageViews()).isEqualTo(2);
        assertThat(s.getPath()).containsExactly("/a", "/b");
        assertThat(s.getTimeOnPageMs()).containsExactly(75 * MIN, 0L);
        assertThat(s.getDurationMs()).isEqualTo(75 * MIN);
    }

    @Test
    void duplicateHitIdCountsOnceWhileOpenAndAfterItsSessionClosed() throws Exception {
        EnrichedHit a = page("a", "v", T0, "/a");
        h.hit(a);
        h.hit(a);
        h.hit(page("b", "v", T0 + MIN, "/b"));
        h.watermark(T0 + MIN + TIMEOUT + 1);
        assertThat(h.takeHits()).extracting(EnrichedHit::getHitId).containsExactly("a", "b");
        assertThat(h.takeSessions()).extracting(Session::getHits).containsExactly(2);

        // A replay after the session closed is late, but remembered: dropped, not doubled.
        h.hit(a);
        h.watermark(Long.MAX_VALUE);
        assertThat(h.takeHits()).isEmpty();
        assertThat(h.takeSessions()).isEmpty();
        assertThat(h.counter("duplicate_hits")).isEqualTo(2);
        assertThat(h.counter("lateHits")).isZero();
    }

    @Test
    void emittedHitIdsAreRememberedOnlyForTheDedupeWindow() throws Exception {
        EnrichedHit a = page("a", "v", T0, "/a");
        long memory = a.getDedupeWindowMs(); // the default window: 24 h
        h.hit(a);
        h.watermark(T0 + memory);
        assertThat(h.takeHits()).extracting(EnrichedHit::getLate).containsExactly(false);
        h.hit(a);
        assertThat(h.takeHits()).isEmpty();

        // Once the watermark is past received_at + memory the id is forgotten (state stays
        // bounded); a replay that old comes out again, as a late hit.
        h.watermark(T0 + memory + 1);
        h.hit(a);
        assertThat(h.takeHits())
                .extracting(EnrichedHit::getHitId, EnrichedHit::getSessionId, EnrichedHit::getLate)
                .containsExactly(tuple("a", null, true));
        // the late replay, remembered in its turn: its hit_id and the oldest-remembered time;
        // and counted again in its day's hits (that count was forgotten at the day's end)
        assertThat(h.harness.numKeyedStateEntries()).isEqualTo(3);
    }

    /**
     * A close timer that falls on the time of a closed session's forget timer (possible with a
     * short timeout: 2 min here), then moved earlier by an out-of-order hit: the forget timer must
     * still fire, or the first session's hit_ids would be remembered for ever.
     */
    @Test
    void aCloseTimerMovedEarlierDoesNotTakeAForgetTimerWithIt() throws Exception {
        long timeout = 2 * MIN;
        long memory = SessionSettings.DEFAULT_DEDUPE_WINDOW.toMillis();
        h.hit(shortTimeout(page("a", "v", T0, "/a"), timeout));
        h.watermark(T0 + timeout + 1); // a's session closes; its forget timer: T0 + memory + 1
        assertThat(h.takeSessions()).hasSize(1);
        // b's close timer is T0 + memory + 1 too; c, earlier, moves the key's timer before it
        h.hit(shortTimeout(page("b", "v", T0 + memory - timeout, "/b"), timeout));
        h.hit(shortTimeout(page("c", "v", T0 + memory - timeout - 10 * SEC, "/c"), timeout));
        h.watermark(T0 + 3 * memory);

        assertThat(h.takeSessions())
                .extracting(Session::getEntryPage, Session::getHits)
                .containsExactly(tuple("/c", 2));
        // every session closed and every remembered hit_id forgotten: nothing left in state
        assertThat(h.harness.numKeyedStateEntries()).isZero();
    }

    private static EnrichedHit shortTimeout(EnrichedHit hit, long timeoutMs) {
        hit.setInactivityTimeoutMs(timeoutMs);
        return hit;
    }

    @Test
    void outOfOrderHitWithinTheBoundJoinsTwoWouldBeSessions() throws Exception {
        EnrichedHit a = page("a", "v", T0, "/a");
        EnrichedHit c = page("c", "v", T0 + 30 * MIN + 20 * SEC, "/c");
        EnrichedHit b = page("b", "v", T0 + 29 * MIN + 55 * SEC, "/b");
        h.hit(a);
        h.hit(c);
        h.watermark(c.getReceivedAt() - SessionHarness.BOUND.toMillis());
        h.hit(b); // above the watermark: within the bound
        h.watermark(Long.MAX_VALUE);
        assertThat(h.takeHits())
                .extracting(EnrichedHit::getHitId, EnrichedHit::getSessionId, EnrichedHit::getLate)
                .containsExactly(
                        tuple("a", idOf(a), false),
                        tuple("b", idOf(a), false),
                        tuple("c", idOf(a), false));
        assertThat(h.takeSessions())
                .extracting(Session::getPath, Session::getTimeOnPageMs)
                .containsExactly(
                        tuple(
                                List.of("/a", "/b", "/c"),
                                List.of(29 * MIN + 55 * SEC, 25 * SEC, 0L)));
    }

    @Test
    void outOfOrderHitWithinTheBoundSplitsAWouldBeSessionAsInOrder() throws Exception {
        long max = SessionHarness.MAX_LENGTH.toMillis();
        EnrichedHit f = page("f", "v", T0, "/f");
        EnrichedHit w = page("w", "v", T0 - 10 * SEC, "/w");
        List<EnrichedHit> later =
                List.of(
                        heartbeat("h1", "v", T0 + 25 * MIN),
                        heartbeat("h2", "v", T0 + 50 * MIN),
                        heartbeat("h3", "v", T0 + 75 * MIN),
                        heartbeat("h4", "v", T0 + 100 * MIN),
                        page("g", "v", T0 + max - 5 * SEC, "/g"));
        // Without w, f..g is one session of max - 5 s. w arrives after f, within the bound,
        // moving the start 10 s earlier, so g no longer fits.
        h.hit(f);
        h.watermark(T0 - SessionHarness.BOUND.toMillis());
        h.hit(w);
        later.forEach(this::deliver);
        h.watermark(Long.MAX_VALUE);
        assertThat(h.takeSessions())
                .extracting(Session::getSessionId, Session::getHits, Session::getPath)
                .containsExactly(
                        tuple(idOf(w), 6, List.of("/w", "/f")),
                        tuple(idOf(later.get(4)), 1, List.of("/g")));
        assertThat(h.takeHits())
                .extracting(EnrichedHit::getHitId)
                .containsExactly("w", "f", "h1", "h2", "h3", "h4", "g");
    }

    private void deliver(EnrichedHit hit) {
        try {
            h.hit(hit);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void hitBeyondTheBoundIsPassedOnAtOnceAsLateWithoutRewritingTheSession() throws Exception {
        EnrichedHit a = page("a", "v", T0, "/a");
        h.hit(a);
        h.watermark(T0 + TIMEOUT + 1);
        assertThat(h.takeSessions()).extracting(Session::getHits).containsExactly(1);
        h.takeHits();

        h.hit(page("late", "v", T0 + MIN, "/late"));
        assertThat(h.takeHits())
                .extracting(EnrichedHit::getHitId, EnrichedHit::getSessionId, EnrichedHit::getLate)
                .containsExactly(tuple("late", null, true));
        assertThat(h.counter("lateHits")).isEqualTo(1);
        h.watermark(Long.MAX_VALUE);
        assertThat(h.takeSessions()).isEmpty();
        assertThat(h.takeHits()).isEmpty();
    }

    @Test
    void hitAtTheWatermarkIsLateAndOneMillisecondAboveIsNot() throws Exception {
        h.watermark(T0);
        h.hit(page("at", "v", T0, "/at"));
        EnrichedHit above = page("above", "v", T0 + 1, "/above");
        h.hit(above);
        assertThat(h.takeHits())
                .extracting(EnrichedHit::getHitId, EnrichedHit::getSessionId, EnrichedHit::getLate)
                .containsExactly(tuple("at", null, true));
        h.watermark(Long.MAX_VALUE);
        assertThat(h.takeHits())
                .extracting(EnrichedHit::getHitId, EnrichedHit::getSessionId, EnrichedHit::getLate)
                .containsExactly(tuple("above", idOf(above), false));
        assertThat(h.counter("lateHits")).isEqualTo(1);
    }

    @Test
    void timeoutLengthZoneAndBotPolicyComeFromTheSettingsTheGateGaveTheHit() throws Exception {
        // beta: 10 min timeout, 1 h maximum, New York time, bots kept. T1 is 18:13 on
        // 2023-11-14 in New York, already the 15th in Paris.
        long t1 = T0 + 60 * MIN;
        EnrichedHit a = beta(page("a", "v", t1, "/a"));
        EnrichedHit b = beta(page("b", "v", t1 + 10 * MIN, "/b"));
        EnrichedHit c = beta(page("c", "v", t1 + 20 * MIN + 1, "/c"));
        EnrichedHit bot = beta(page("bot", "crawler", t1, "/"));
        bot.setIsBot(true);
        for (EnrichedHit hit : List.of(a, b, c, bot)) {
            h.hit(hit);
        }
        h.watermark(Long.MAX_VALUE);
        assertThat(h.takeSessions())
                .extracting(
                        Session::getTenantId,
                        Session::getSiteId,
                        Session::getVisitorId,
                        Session::getHits,
                        Session::getTimeZone,
                        Session::getDay)
                .containsExactlyInAnyOrder(
                        tuple("beta", "site-beta", "v", 2, "America/New_York", 19_675),
                        tuple("beta", "site-beta", "v", 1, "America/New_York", 19_675),
                        tuple("beta", "site-beta", "crawler", 1, "America/New_York", 19_675));
    }

    private static EnrichedHit beta(EnrichedHit hit) {
        return EnrichedHit.newBuilder(hit)
                .setTenantId("beta")
                .setSiteId("site-beta")
                .setTimeZone("America/New_York")
                .setInactivityTimeoutMs(java.time.Duration.ofMinutes(10).toMillis())
                .setMaxSessionMs(java.time.Duration.ofHours(1).toMillis())
                .build();
    }

    @Test
    void botHitIsPassedThroughWithoutASessionWhenTheTenantExcludesBots() throws Exception {
        EnrichedHit bot =
                TestHits.hit("bot", "crawler", T0, HitType.PAGE_VIEW)
                        .setPage("/")
                        .setIsBot(true)
                        .setExcludedBot(true)
                        .build();
        h.hit(bot);
        assertThat(h.takeHits())
                .extracting(EnrichedHit::getHitId, EnrichedHit::getSessionId, EnrichedHit::getLate)
                .containsExactly(tuple("bot", null, false));
        h.watermark(Long.MAX_VALUE);
        assertThat(h.takeSessions()).isEmpty();
        assertThat(h.takeHits()).isEmpty();
    }
}
