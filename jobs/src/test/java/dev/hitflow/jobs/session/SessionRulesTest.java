package dev.hitflow.jobs.session;

import static dev.hitflow.jobs.session.TestHits.heartbeat;
import static dev.hitflow.jobs.session.TestHits.page;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.avro.EnrichedHit;
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
}
