package dev.hitflow.jobs.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.junit.jupiter.api.Test;

/**
 * Measures the keyed state of open sessions (heap backend, full snapshot) and holds it to a budget
 * of 1 KiB per open session of 5 hits. The figure is printed: {@code mvn -B -q -pl jobs -am test
 * -Dtest=SessionStateSizeTest -Dsurefire.failIfNoSpecifiedTests=false} and see the line "state
 * bytes per open session".
 */
class SessionStateSizeTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final int SESSIONS = 2_000;
    private static final int HITS_PER_SESSION = 5;

    @Test
    void openSessionStateStaysWithinBudget() throws Exception {
        long empty = snapshotBytes(0);
        long full = snapshotBytes(SESSIONS);
        long perSession = (full - empty) / SESSIONS;
        System.out.printf(
                "state bytes per open session (%d hits, heap snapshot): %d (%d per hit)%n",
                HITS_PER_SESSION, perSession, perSession / HITS_PER_SESSION);
        // issue 10's budget: under 1 KiB per open session
        assertThat(perSession).isBetween(100L * HITS_PER_SESSION, 1_023L);
    }

    private static long snapshotBytes(int sessions) throws Exception {
        try (SessionHarness h = new SessionHarness()) {
            for (int s = 0; s < sessions; s++) {
                String visitor = String.format("%032x", s * 7_919L);
                for (int i = 0; i < HITS_PER_SESSION; i++) {
                    h.hit(realistic(visitor, s, i));
                }
            }
            h.watermark(T0); // nothing closes: every session is open in the snapshot
            OperatorSubtaskState state = h.harness.snapshot(1L, 1L);
            long bytes = 0;
            for (KeyedStateHandle handle : state.getManagedKeyedState()) {
                bytes += handle.getStateSize();
            }
            return bytes;
        }
    }

    private static EnrichedHit realistic(String visitor, int session, int i) {
        return TestHits.hit(
                        "h-" + session + "-" + i + "-7f3a9c2e-4b1d",
                        visitor,
                        T0 + 60_000L * (i + 1),
                        i % 2 == 0 ? HitType.PAGE_VIEW : HitType.HEARTBEAT)
                .setPage("/products/category-" + (i % 7))
                .setUrl("https://www.example.fr/products/category-" + (i % 7) + "?q=shoes")
                .setReferrerHost("www.google.com")
                .setSourceClass("search")
                .setCountry("FR")
                .setRegion("IDF")
                .setCity("Paris")
                .setDeviceClass("Phone")
                .setOsName("Android")
                .setOsVersion("14")
                .setAgentName("Chrome")
                .setAgentVersion("131")
                .build();
    }
}
