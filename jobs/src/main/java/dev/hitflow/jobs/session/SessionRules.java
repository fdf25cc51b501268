package dev.hitflow.jobs.session;

import dev.hitflow.schemas.avro.EnrichedHit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The session rules of DESIGN.md "Sessions", free of Flink so that the operator and the tests'
 * reference share nothing but the contract: hits of one (site, visitor) ordered by (received_at,
 * hit_id); a hit starts a new session when its gap from the previous hit exceeds the inactivity
 * timeout (a gap exactly equal stays) or when the session would grow past the maximum length (a
 * session exactly as long as the maximum stays). Heartbeats take part like any hit: they extend
 * activity. Duplicate hit_ids count once.
 */
public final class SessionRules {

    /** The event-time order of hits within a key. */
    public static final Comparator<EnrichedHit> ORDER =
            Comparator.comparingLong(EnrichedHit::getReceivedAt)
                    .thenComparing(EnrichedHit::getHitId);

    private final long inactivityTimeoutMs;
    private final long maxLengthMs;

    public SessionRules(long inactivityTimeoutMs, long maxLengthMs) {
        if (inactivityTimeoutMs <= 0 || maxLengthMs <= 0) {
            throw new IllegalArgumentException(
                    "inactivity timeout and maximum length must be positive");
        }
        this.inactivityTimeoutMs = inactivityTimeoutMs;
        this.maxLengthMs = maxLengthMs;
    }

    public long inactivityTimeoutMs() {
        return inactivityTimeoutMs;
    }

    public long maxLengthMs() {
        return maxLengthMs;
    }

    /** The hits once each (the first seen of each hit_id), in session order. */
    public static List<EnrichedHit> orderedDistinct(Iterable<EnrichedHit> hits) {
        Map<String, EnrichedHit> byId = new LinkedHashMap<>();
        for (EnrichedHit hit : hits) {
            byId.putIfAbsent(hit.getHitId(), hit);
        }
        List<EnrichedHit> ordered = new ArrayList<>(byId.values());
        ordered.sort(ORDER);
        return ordered;
    }

    /** Whether {@code next} starts a new session after a session from start to last. */
    public boolean startsNewSession(long sessionStart, long lastHit, long next) {
        return next - lastHit > inactivityTimeoutMs || next - sessionStart > maxLengthMs;
    }

    /**
     * Splits the hits of one key into sessions. Duplicates are dropped and the hits ordered first,
     * so the input may come in any order.
     */
    public List<List<EnrichedHit>> split(Iterable<EnrichedHit> hits) {
        List<List<EnrichedHit>> sessions = new ArrayList<>();
        List<EnrichedHit> current = null;
        long start = 0;
        long last = 0;
        for (EnrichedHit hit : orderedDistinct(hits)) {
            long at = hit.getReceivedAt();
            if (current == null || startsNewSession(start, last, at)) {
                current = new ArrayList<>();
                sessions.add(current);
                start = at;
            }
            current.add(hit);
            last = at;
        }
        return sessions;
    }

    /**
     * Whether a session whose last hit is at {@code lastHit} can no longer change once the
     * watermark is at {@code watermark}: every hit still to come is newer than the watermark, so
     * its gap from this session exceeds the timeout.
     */
    public boolean isClosed(long lastHit, long watermark) {
        return watermark == Long.MAX_VALUE || lastHit + inactivityTimeoutMs < watermark;
    }
}
