package dev.hitflow.jobs.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.avro.PageTransition;
import dev.hitflow.schemas.avro.Session;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class PageTransitionCounterTest {
    static final int DAY = (int) LocalDate.of(2026, 3, 10).toEpochDay();
    // end of 2026-03-10 in Paris, plus the settle time
    static final long FLUSH =
            Instant.parse("2026-03-10T23:00:00Z").toEpochMilli() + PageTransitionCounter.SETTLE;

    static Session session(String id, List<String> path) {
        return Session.newBuilder()
                .setTenantId("acme")
                .setSiteId("shop")
                .setSessionId(id)
                .setVisitorId("v")
                .setDay(DAY)
                .setTimeZone("Europe/Paris")
                .setStartedAt(0)
                .setEndedAt(0)
                .setDurationMs(0)
                .setHits(path.size())
                .setPageViews(path.size())
                .setPath(path)
                .setTimeOnPageMs(List.of())
                .setBounce(path.size() == 1)
                .setEvents(0)
                .setCartAdds(0)
                .setPurchases(0)
                .setRevenue(Map.of())
                .build();
    }

    static PageTransition row(String from, String to, long n) {
        return new PageTransition("acme", "shop", DAY, "Europe/Paris", from, to, n);
    }

    @Test
    void pathsBecomeStepsWithEntranceAndExit() {
        assertThat(PageTransitions.of(List.of("/a", "/b", "/a")))
                .containsExactly(
                        new PageTransitions.Step("(entrance)", "/a"),
                        new PageTransitions.Step("/a", "/b"),
                        new PageTransitions.Step("/b", "/a"),
                        new PageTransitions.Step("/a", "(exit)"));
        assertThat(PageTransitions.of(List.of())).isEmpty();
    }

    @Test
    void countsPerDayEmittedAfterTheDayAndLateSessionsAddDeltaRows() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, Session, PageTransition> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new PageTransitionCounter()),
                        PageTransitionCounter::key,
                        Types.STRING)) {
            h.open();
            h.processWatermark(FLUSH - 10_000);
            h.processElement(session("s1", List.of("/home", "/cart")), FLUSH - 20_000);
            h.processElement(session("s2", List.of("/home")), FLUSH - 20_000);
            h.processWatermark(FLUSH - 1);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(FLUSH);
            assertThat(h.extractOutputValues())
                    .containsExactlyInAnyOrder(
                            row("(entrance)", "/home", 2),
                            row("/home", "/cart", 1),
                            row("/cart", "(exit)", 1),
                            row("/home", "(exit)", 1));
            // a session of that day that finishes after the flush: a delta row at the next
            // watermark
            h.processElement(session("s3", List.of("/home")), FLUSH);
            h.processWatermark(FLUSH + 1);
            assertThat(h.extractOutputValues())
                    .hasSize(6)
                    .contains(row("(entrance)", "/home", 1), row("/home", "(exit)", 1));
        }
    }
}
