package dev.hitflow.jobs.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * Measures what the dedupe window and the daily cap cost: state bytes per remembered hit (heap
 * backend, full snapshot, minus an empty one) in the sessionizer (closed sessions whose hit_ids are
 * remembered, with their visitors' day counts) and in the filter of hits without a visitor ID, and
 * CPU per hit of that filter beside a pass-through in the same harness (thread CPU time, the best
 * of five rounds). The figures are printed ("dedupe cost") for BENCHMARKS.md:
 *
 * <pre>
 * ./mvnw -B -o -pl jobs -am verify -Dtest=DedupeCostTest -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * It asserts only what the figures must be near, never a time.
 */
class DedupeCostTest {
    private static final long T0 = 1_774_602_000_000L;
    private static final int VISITORS = 2_000;
    private static final int HITS_PER_VISITOR = 5;
    private static final int ANONYMOUS = 20_000;

    @Test
    void stateAndCpuPerRememberedHit() throws Exception {
        long sessionizerBytes = sessionizerBytes(VISITORS) - sessionizerBytes(0);
        long perVisitor = sessionizerBytes / VISITORS;
        long filterBytes = filterBytes(ANONYMOUS) - filterBytes(0);
        long perAnonymousHit = filterBytes / ANONYMOUS;
        System.out.printf(
                "dedupe cost: sessionizer %d state bytes per visitor of %d closed hits (%d per"
                        + " hit), filter %d state bytes per hit without visitor ID%n",
                perVisitor, HITS_PER_VISITOR, perVisitor / HITS_PER_VISITOR, perAnonymousHit);
        // a hit_id (about 30 bytes here), its forget time, its timer and key: some tens of bytes
        assertThat(perVisitor / HITS_PER_VISITOR).isBetween(30L, 200L);
        assertThat(perAnonymousHit).isBetween(30L, 200L);

        long filterNs = Long.MAX_VALUE;
        long passNs = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            filterNs = Math.min(filterNs, cpuPerHit(new DuplicateHitFilter(), round));
            passNs = Math.min(passNs, cpuPerHit(new PassThrough(), round));
        }
        System.out.printf(
                "dedupe cost: filter %d ns CPU per hit, pass-through %d ns in the same harness:"
                        + " %d ns per hit for the dedupe%n",
                filterNs, passNs, filterNs - passNs);
    }

    private static EnrichedHit visitorHit(int visitor, int i) {
        return TestHits.hit(
                        "h-" + visitor + "-" + i + "-7f3a9c2e-4b1d",
                        String.format("%032x", visitor * 7_919L),
                        T0 + 60_000L * (i + 1),
                        HitType.PAGE_VIEW)
                .setPage("/p" + i)
                .build();
    }

    private static EnrichedHit anonymousHit(int n, long at) {
        return TestHits.hit("h-" + n + "-7f3a9c2e-4b1d", null, at, HitType.PAGE_VIEW)
                .setConsent(Consent.OPT_OUT)
                .setPage("/")
                .build();
    }

    /** Snapshot bytes once every visitor's session has closed: remembered ids and day counts. */
    private static long sessionizerBytes(int visitors) throws Exception {
        try (SessionHarness h = new SessionHarness()) {
            for (int v = 0; v < visitors; v++) {
                for (int i = 0; i < HITS_PER_VISITOR; i++) {
                    h.hit(visitorHit(v, i));
                }
            }
            h.watermark(T0 + 2 * 3_600_000L); // every session closed, within the 24 h window
            h.takeHits();
            return snapshotBytes(h);
        }
    }

    private static long filterBytes(int hits) throws Exception {
        try (SessionHarness h =
                new SessionHarness(new DuplicateHitFilter(), DuplicateHitFilter::key)) {
            for (int n = 0; n < hits; n++) {
                h.hit(anonymousHit(n, T0 + n));
            }
            h.takeHits();
            return snapshotBytes(h);
        }
    }

    private static long snapshotBytes(SessionHarness h) throws Exception {
        OperatorSubtaskState state = h.harness.snapshot(1L, 1L);
        long bytes = 0;
        for (KeyedStateHandle handle : state.getManagedKeyedState()) {
            bytes += handle.getStateSize();
        }
        return bytes;
    }

    private static long cpuPerHit(
            KeyedProcessFunction<String, EnrichedHit, EnrichedHit> function, int round)
            throws Exception {
        List<EnrichedHit> hits = new ArrayList<>(ANONYMOUS);
        for (int n = 0; n < ANONYMOUS; n++) {
            hits.add(anonymousHit(round * ANONYMOUS + n, T0 + n));
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (SessionHarness h = new SessionHarness(function, DuplicateHitFilter::key)) {
            long start = threads.getCurrentThreadCpuTime();
            for (EnrichedHit hit : hits) {
                h.hit(hit);
            }
            long used = threads.getCurrentThreadCpuTime() - start;
            assertThat(h.takeHits()).hasSize(ANONYMOUS);
            return used / ANONYMOUS;
        }
    }

    /** The harness and keying without the dedupe: what the filter's figure is compared with. */
    private static final class PassThrough
            extends KeyedProcessFunction<String, EnrichedHit, EnrichedHit> {
        @Override
        public void processElement(EnrichedHit hit, Context ctx, Collector<EnrichedHit> out) {
            out.collect(hit);
        }
    }
}
