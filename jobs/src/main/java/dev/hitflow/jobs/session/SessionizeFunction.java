package dev.hitflow.jobs.session;

import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.Session;
import dev.hitflow.schemas.config.SessionSettings;
import dev.hitflow.schemas.config.TenantRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * First sessionizer: event time, inactivity gap and maximum length per tenant. Hits of a key wait
 * in state until the watermark passes their session's last hit plus the timeout; then the hits go
 * out with their session ID and the session on {@link #SESSIONS}.
 */
public class SessionizeFunction extends KeyedProcessFunction<String, EnrichedHit, EnrichedHit> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<Session> SESSIONS =
            new OutputTag<>("sessions", new AvroTypeInfo<>(Session.class));

    private static final Comparator<EnrichedHit> ORDER =
            Comparator.comparingLong(EnrichedHit::getReceivedAt)
                    .thenComparing(EnrichedHit::getHitId);

    private final TenantRegistry tenants;

    private transient ListState<EnrichedHit> pending;

    public SessionizeFunction(TenantRegistry tenants, Duration allowedLateness) {
        this.tenants = tenants;
    }

    public static String key(EnrichedHit hit) {
        return hit.getSiteId() + '\u0000' + hit.getVisitorId();
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext openContext) {
        pending =
                getRuntimeContext()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "pending-hits", new AvroTypeInfo<>(EnrichedHit.class)));
    }

    @Override
    public void processElement(EnrichedHit hit, Context ctx, Collector<EnrichedHit> out)
            throws Exception {
        if (hit.getReceivedAt() <= ctx.timerService().currentWatermark()) {
            hit.setLate(true);
            out.collect(hit);
            return;
        }
        pending.add(hit);
        ctx.timerService()
                .registerEventTimeTimer(
                        hit.getReceivedAt() + settings(hit).inactivityTimeout().toMillis() + 1);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EnrichedHit> out)
            throws Exception {
        List<EnrichedHit> hits = new ArrayList<>();
        Map<String, EnrichedHit> unique = new LinkedHashMap<>();
        for (EnrichedHit hit : pending.get()) {
            unique.putIfAbsent(hit.getHitId(), hit);
        }
        hits.addAll(unique.values());
        if (hits.isEmpty()) {
            return;
        }
        hits.sort(ORDER);
        SessionSettings settings = settings(hits.get(0));
        long timeout = settings.inactivityTimeout().toMillis();
        long maxLength = settings.maxLength().toMillis();
        long watermark = ctx.timerService().currentWatermark();

        List<List<EnrichedHit>> sessions = new ArrayList<>();
        List<EnrichedHit> current = new ArrayList<>();
        for (EnrichedHit hit : hits) {
            if (!current.isEmpty()) {
                long last = current.get(current.size() - 1).getReceivedAt();
                long start = current.get(0).getReceivedAt();
                if (hit.getReceivedAt() - last > timeout
                        || hit.getReceivedAt() - start > maxLength) {
                    sessions.add(current);
                    current = new ArrayList<>();
                }
            }
            current.add(hit);
        }
        sessions.add(current);

        List<EnrichedHit> keep = new ArrayList<>();
        for (List<EnrichedHit> session : sessions) {
            long last = session.get(session.size() - 1).getReceivedAt();
            if (!keep.isEmpty() || last + timeout >= watermark) {
                keep.addAll(session);
                continue;
            }
            Session row = build(session);
            for (EnrichedHit hit : session) {
                hit.setSessionId(row.getSessionId());
                out.collect(hit);
            }
            ctx.output(SESSIONS, row);
        }
        pending.update(keep);
        if (!keep.isEmpty()) {
            ctx.timerService()
                    .registerEventTimeTimer(
                            keep.get(keep.size() - 1).getReceivedAt() + timeout + 1);
        }
    }

    private SessionSettings settings(EnrichedHit hit) {
        return tenants.tenant(hit.getTenantId())
                .map(t -> t.session())
                .orElse(SessionSettings.defaults());
    }

    static Session build(List<EnrichedHit> hits) {
        EnrichedHit first = hits.get(0);
        EnrichedHit lastHit = hits.get(hits.size() - 1);
        List<String> path = new ArrayList<>();
        List<Long> pageTimes = new ArrayList<>();
        int events = 0;
        int cartAdds = 0;
        int purchases = 0;
        Map<String, Long> revenue = new HashMap<>();
        for (EnrichedHit hit : hits) {
            if (hit.getHitType() == HitType.PAGE_VIEW) {
                path.add(hit.getPage() == null ? "(unknown)" : hit.getPage());
                pageTimes.add(hit.getReceivedAt());
            } else if (hit.getHitType() == HitType.EVENT) {
                events++;
            } else if (hit.getHitType() == HitType.CART && hit.getCart() != null) {
                switch (hit.getCart().getAction()) {
                    case ADD -> cartAdds++;
                    case PURCHASE -> {
                        purchases++;
                        revenue.merge(
                                hit.getCart().getCurrency(),
                                hit.getCart().getPriceMinor() * hit.getCart().getQuantity(),
                                Long::sum);
                    }
                    default -> {}
                }
            }
        }
        List<Long> timeOnPage = new ArrayList<>();
        for (int i = 0; i < pageTimes.size(); i++) {
            long next = nextHitTime(hits, pageTimes.get(i), lastHit.getReceivedAt());
            timeOnPage.add(next - pageTimes.get(i));
        }
        return Session.newBuilder()
                .setTenantId(first.getTenantId())
                .setSiteId(first.getSiteId())
                .setSessionId(sessionId(first))
                .setVisitorId(first.getVisitorId())
                .setKeyVersion(first.getKeyVersion())
                .setDay(first.getDay())
                .setTimeZone(first.getTimeZone())
                .setStartedAt(first.getReceivedAt())
                .setEndedAt(lastHit.getReceivedAt())
                .setDurationMs(lastHit.getReceivedAt() - first.getReceivedAt())
                .setHits(hits.size())
                .setPageViews(path.size())
                .setPath(path)
                .setEntryPage(path.isEmpty() ? null : path.get(0))
                .setExitPage(path.isEmpty() ? null : path.get(path.size() - 1))
                .setTimeOnPageMs(timeOnPage)
                .setBounce(path.size() == 1)
                .setEvents(events)
                .setCartAdds(cartAdds)
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
                .build();
    }

    private static long nextHitTime(List<EnrichedHit> hits, long after, long last) {
        for (EnrichedHit hit : hits) {
            if (hit.getReceivedAt() > after) {
                return hit.getReceivedAt();
            }
        }
        return last;
    }

    private static String sessionId(EnrichedHit first) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            String seed =
                    first.getTenantId()
                            + '\u0000'
                            + first.getSiteId()
                            + '\u0000'
                            + first.getVisitorId()
                            + '\u0000'
                            + Instant.ofEpochMilli(first.getReceivedAt())
                            + '\u0000'
                            + first.getHitId();
            return HexFormat.of()
                    .formatHex(sha.digest(seed.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
