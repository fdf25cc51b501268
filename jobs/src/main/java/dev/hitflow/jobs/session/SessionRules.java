package dev.hitflow.jobs.session;

import dev.hitflow.schemas.avro.EnrichedHit;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The session rules of DESIGN.md "Sessions", free of Flink so that the operator and the tests'
 * reference share nothing but the contract: hits of one (site, visitor) ordered by (received_at,
 * hit_id); a hit starts a new session when its gap from the previous hit exceeds the inactivity
 * timeout (a gap exactly equal stays) or when the session would grow past the maximum length (a
 * session exactly as long as the maximum stays). Heartbeats take part like any hit: they extend
 * activity. Duplicate hit_ids count once.
 *
 * <p>Two optional rules (a tenant's {@code session.split_on_campaign} and {@code
 * session.split_at_midnight}, both off by default) cut sessions further:
 *
 * <ul>
 *   <li>Campaign change: a hit that carries a campaign (any of source, medium, name) different from
 *       its session's starts a new session; a session's campaign is that of its hits that carry one
 *       (there is at most one, as any other starts a new session), none while none did. A hit
 *       without a campaign stays in the session, as in Google Analytics: coming back directly, or
 *       through an internal link, does not end a campaign's visit. A hit with a campaign in a
 *       session that has none yet starts a new one too (the campaign is a new source).
 *   <li>Local midnight: a hit on another local day (the tenant's zone, the hit's {@code day}, so a
 *       23- or 25-hour day is cut where its wall clock says) than its session's first hit starts a
 *       new session.
 * </ul>
 */
public final class SessionRules {

    /** The event-time order of hits within a key. */
    public static final Comparator<EnrichedHit> ORDER =
            Comparator.comparingLong(EnrichedHit::getReceivedAt)
                    .thenComparing(EnrichedHit::getHitId);

    private final long inactivityTimeoutMs;
    private final long maxLengthMs;
    private final boolean splitOnCampaign;
    private final boolean splitAtMidnight;

    public SessionRules(long inactivityTimeoutMs, long maxLengthMs) {
        this(inactivityTimeoutMs, maxLengthMs, false, false);
    }

    public SessionRules(
            long inactivityTimeoutMs,
            long maxLengthMs,
            boolean splitOnCampaign,
            boolean splitAtMidnight) {
        if (inactivityTimeoutMs <= 0 || maxLengthMs <= 0) {
            throw new IllegalArgumentException(
                    "inactivity timeout and maximum length must be positive");
        }
        this.inactivityTimeoutMs = inactivityTimeoutMs;
        this.maxLengthMs = maxLengthMs;
        this.splitOnCampaign = splitOnCampaign;
        this.splitAtMidnight = splitAtMidnight;
    }

    /** The rules the gate copied into {@code hit} from its tenant's settings. */
    public static SessionRules of(EnrichedHit hit) {
        return new SessionRules(
                hit.getInactivityTimeoutMs(),
                hit.getMaxSessionMs(),
                hit.getSplitOnCampaign(),
                hit.getSplitAtMidnight());
    }

    /** Whether these are the rules {@link #of} would give for {@code hit}. */
    public boolean sameAs(EnrichedHit hit) {
        return inactivityTimeoutMs == hit.getInactivityTimeoutMs()
                && maxLengthMs == hit.getMaxSessionMs()
                && splitOnCampaign == hit.getSplitOnCampaign()
                && splitAtMidnight == hit.getSplitAtMidnight();
    }

    public long inactivityTimeoutMs() {
        return inactivityTimeoutMs;
    }

    public long maxLengthMs() {
        return maxLengthMs;
    }

    public boolean splitOnCampaign() {
        return splitOnCampaign;
    }

    public boolean splitAtMidnight() {
        return splitAtMidnight;
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
        int startDay = 0;
        EnrichedHit campaignHit = null;
        for (EnrichedHit hit : orderedDistinct(hits)) {
            long at = hit.getReceivedAt();
            boolean hasCampaign = splitOnCampaign && hasCampaign(hit);
            if (current == null
                    || startsNewSession(start, last, at)
                    || (splitAtMidnight && hit.getDay() != startDay)
                    || (hasCampaign && !sameCampaign(hit, campaignHit))) {
                current = new ArrayList<>();
                sessions.add(current);
                start = at;
                startDay = hit.getDay();
                campaignHit = null;
            }
            if (hasCampaign) {
                campaignHit = hit;
            }
            current.add(hit);
            last = at;
        }
        return sessions;
    }

    /**
     * The event time at which a hit_id remembered for a dedupe window of {@code windowMs} past
     * {@code latest} is forgotten: a replay is dropped while the watermark has not passed {@code
     * latest + windowMs}, and taken as a new hit once it has.
     */
    public static long forgetAt(long latest, long windowMs) {
        return latest + windowMs + 1;
    }

    /**
     * The instant the tenant-local day {@code day} (days since 1970-01-01 in {@code zone}) ends:
     * the next local midnight, or the first instant of the next day where a DST gap skips midnight.
     */
    public static long dayEnd(int day, ZoneId zone) {
        return LocalDate.ofEpochDay(day + 1L).atStartOfDay(zone).toInstant().toEpochMilli();
    }

    /** Whether a hit came through a campaign: any of its source, medium or name is set. */
    public static boolean hasCampaign(EnrichedHit hit) {
        return hit.getCampaignSource() != null
                || hit.getCampaignMedium() != null
                || hit.getCampaignName() != null;
    }

    /** Whether {@code hit}'s campaign (source, medium, name) is that of {@code other}, if any. */
    private static boolean sameCampaign(EnrichedHit hit, EnrichedHit other) {
        return other != null
                && Objects.equals(hit.getCampaignSource(), other.getCampaignSource())
                && Objects.equals(hit.getCampaignMedium(), other.getCampaignMedium())
                && Objects.equals(hit.getCampaignName(), other.getCampaignName());
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
