package dev.hitflow.jobs.aggregate;

import dev.hitflow.schemas.avro.AggregateDelta;
import dev.hitflow.schemas.avro.CartAction;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.Session;
import dev.hitflow.schemas.tables.AggregateTables;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a hit or a finished session adds to each aggregate table. Hits count in hits, page views,
 * events, carts and revenue (opt-out and no-consent hits too); only identified, non-excluded
 * visitors count as visitors; sessions, bounces and duration come from sessions, attributed to the
 * hour and day the session started, in the tenant's time zone.
 */
public final class AggregateContributions {
    private AggregateContributions() {}

    /**
     * Whether a hit goes into the visitor sketches: it has a visitor ID (consent allowed one) and
     * is not a bot of a tenant that excludes bots (the gate decided that under the tenant's bot
     * policy in force for this hit). The hits table's {@code counted_as_visitor} is this, so an
     * exact count over the hits matches what the sketches estimate.
     */
    public static boolean countsAsVisitor(EnrichedHit h) {
        return h.getVisitorId() != null && !h.getExcludedBot();
    }

    public static List<AggregateDelta> ofHit(EnrichedHit h, boolean countVisitor) {
        long pageViews = h.getHitType() == HitType.PAGE_VIEW ? 1 : 0;
        long events = h.getHitType() == HitType.EVENT ? 1 : 0;
        long cartAdds = 0;
        long purchases = 0;
        Map<String, Long> revenue = Map.of();
        if (h.getHitType() == HitType.CART && h.getCart() != null) {
            if (h.getCart().getAction() == CartAction.ADD) {
                cartAdds = 1;
            } else if (h.getCart().getAction() == CartAction.PURCHASE) {
                purchases = 1;
                revenue =
                        Map.of(
                                h.getCart().getCurrency(),
                                h.getCart().getPriceMinor() * h.getCart().getQuantity());
            }
        }
        String visitor = countVisitor ? h.getVisitorId() : null;
        List<AggregateDelta> out =
                contributions(
                        h.getTenantId(),
                        h.getSiteId(),
                        h.getTimeZone(),
                        h.getDay(),
                        h.getHour(),
                        Arrays.asList(h.getCountry(), h.getRegion(), h.getCity()),
                        Arrays.asList(h.getDeviceClass(), h.getOsName(), h.getAgentName()),
                        Arrays.asList(
                                h.getSourceClass(),
                                h.getReferrerHost(),
                                h.getCampaignSource(),
                                h.getCampaignMedium(),
                                h.getCampaignName()));
        for (AggregateDelta d : out) {
            d.setHits(1L);
            d.setPageViews(pageViews);
            d.setVisitorId(visitor);
            if (isTraffic(d)) {
                d.setEvents(events);
                d.setCartAdds(cartAdds);
                d.setPurchases(purchases);
                d.setRevenue(revenue);
            }
        }
        return out;
    }

    /**
     * A hit past its visitor's daily cap: one {@code capped_hits} on the traffic tables' hour and
     * day, nothing else (it is not a hit of any other count: a runaway client skews none).
     */
    public static List<AggregateDelta> ofCappedHit(EnrichedHit h) {
        AggregateDelta hourly =
                zero(
                        AggregateTables.TRAFFIC_HOURLY,
                        h.getTenantId(),
                        h.getSiteId(),
                        h.getDay(),
                        h.getHour(),
                        h.getTimeZone(),
                        List.of(),
                        NONE);
        AggregateDelta daily =
                zero(
                        AggregateTables.TRAFFIC_DAILY,
                        h.getTenantId(),
                        h.getSiteId(),
                        h.getDay(),
                        -1,
                        h.getTimeZone(),
                        List.of(),
                        NONE);
        hourly.setCappedHits(1L);
        daily.setCappedHits(1L);
        return List.of(hourly, daily);
    }

    public static List<AggregateDelta> ofSession(Session s) {
        var start = Instant.ofEpochMilli(s.getStartedAt()).atZone(ZoneId.of(s.getTimeZone()));
        List<AggregateDelta> out =
                contributions(
                        s.getTenantId(),
                        s.getSiteId(),
                        s.getTimeZone(),
                        s.getDay(),
                        start.getHour(),
                        Arrays.asList(s.getCountry(), s.getRegion(), s.getCity()),
                        Arrays.asList(s.getDeviceClass(), s.getOsName(), s.getAgentName()),
                        Arrays.asList(
                                s.getSourceClass(),
                                s.getReferrerHost(),
                                s.getCampaignSource(),
                                s.getCampaignMedium(),
                                s.getCampaignName()));
        for (AggregateDelta d : out) {
            d.setSessions(1L);
            if (isTraffic(d)) {
                d.setBounces(s.getBounce() ? 1L : 0L);
                d.setSessionDurationMs(s.getDurationMs());
            }
        }
        return out;
    }

    /**
     * One zero contribution to each aggregate table: traffic per hour and per day, geo, devices and
     * sources per day with their dimensions. Built for every hit, so without intermediate maps or
     * copies; the counters and revenue maps the caller sets are its own.
     */
    private static List<AggregateDelta> contributions(
            String tenant,
            String site,
            String zone,
            int day,
            int hour,
            List<String> geo,
            List<String> devices,
            List<String> sources) {
        return List.of(
                zero(
                        AggregateTables.TRAFFIC_HOURLY,
                        tenant,
                        site,
                        day,
                        hour,
                        zone,
                        List.of(),
                        NONE),
                zero(AggregateTables.TRAFFIC_DAILY, tenant, site, day, -1, zone, List.of(), NONE),
                zero(AggregateTables.GEO_DAILY, tenant, site, day, -1, zone, geo, NONE),
                zero(AggregateTables.DEVICES_DAILY, tenant, site, day, -1, zone, devices, NONE),
                zero(AggregateTables.SOURCES_DAILY, tenant, site, day, -1, zone, sources, NONE));
    }

    /** A contribution's revenue when it has none: never added to (only sums are). */
    private static final Map<String, Long> NONE = Map.of();

    private static boolean isTraffic(AggregateDelta d) {
        return d.getTable().equals(AggregateTables.TRAFFIC_HOURLY)
                || d.getTable().equals(AggregateTables.TRAFFIC_DAILY);
    }

    /**
     * A contribution or sum with every counter at zero. Built with setters, not Avro's builder: the
     * builder deep-copies a default value for every field left unset, five times per hit.
     */
    private static AggregateDelta zero(
            String table,
            String tenant,
            String site,
            int day,
            int hour,
            String zone,
            List<String> dims,
            Map<String, Long> revenue) {
        AggregateDelta d = new AggregateDelta();
        d.setTable(table);
        d.setTenantId(tenant);
        d.setSiteId(site);
        d.setDay(day);
        d.setHour(hour);
        d.setTimeZone(zone);
        d.setDims(dims);
        d.setHits(0L);
        d.setPageViews(0L);
        d.setSessions(0L);
        d.setBounces(0L);
        d.setSessionDurationMs(0L);
        d.setEvents(0L);
        d.setCartAdds(0L);
        d.setPurchases(0L);
        d.setCappedHits(0L);
        d.setRevenue(revenue);
        return d;
    }

    /**
     * The row a contribution adds to, as a map key within one operator (cheaper to hash than {@link
     * #key}'s string, which is the keyBy key between operators). Not a record: a record's generated
     * equals and hashCode run through method handles that the JIT did not inline here, and they
     * were two thirds of the combiner's time; the hash is computed once.
     */
    public static final class RowKey {
        private final String table;
        private final String tenant;
        private final String site;
        private final int day;
        private final int hour;
        private final List<String> dims;
        private final int hash;

        public RowKey(
                String table, String tenant, String site, int day, int hour, List<String> dims) {
            this.table = table;
            this.tenant = tenant;
            this.site = site;
            this.day = day;
            this.hour = hour;
            this.dims = dims;
            int h = Objects.hashCode(table);
            h = 31 * h + Objects.hashCode(tenant);
            h = 31 * h + Objects.hashCode(site);
            h = 31 * h + day;
            h = 31 * h + hour;
            this.hash = 31 * h + dims.hashCode();
        }

        public static RowKey of(AggregateDelta d) {
            return new RowKey(
                    d.getTable(),
                    d.getTenantId(),
                    d.getSiteId(),
                    d.getDay(),
                    d.getHour(),
                    d.getDims());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RowKey k
                    && hash == k.hash
                    && day == k.day
                    && hour == k.hour
                    && Objects.equals(table, k.table)
                    && Objects.equals(tenant, k.tenant)
                    && Objects.equals(site, k.site)
                    && sameDims(k.dims);
        }

        /** List.equals without its two iterators (per contribution, on the hot path). */
        private boolean sameDims(List<String> other) {
            int n = dims.size();
            if (other.size() != n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (!Objects.equals(dims.get(i), other.get(i))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return table + "/" + tenant + "/" + site + "/" + day + "/" + hour + "/" + dims;
        }
    }

    /** The key of the row a contribution adds to. */
    public static String key(AggregateDelta d) {
        StringBuilder sb =
                new StringBuilder()
                        .append(d.getTable())
                        .append('\u0000')
                        .append(d.getTenantId())
                        .append('\u0000')
                        .append(d.getSiteId())
                        .append('\u0000')
                        .append(d.getDay())
                        .append('\u0000')
                        .append(d.getHour());
        for (String dim : d.getDims()) {
            sb.append('\u0000').append(dim == null ? "\u0001" : dim);
        }
        return sb.toString();
    }

    /**
     * Adds a contribution's counters into a running sum, which may be null (then a new sum of the
     * contribution's row is made). Visitors are not summed here: they are sketches, merged by the
     * caller.
     */
    public static AggregateDelta add(AggregateDelta sum, AggregateDelta d) {
        if (sum == null) {
            sum =
                    zero(
                            d.getTable(),
                            d.getTenantId(),
                            d.getSiteId(),
                            d.getDay(),
                            d.getHour(),
                            d.getTimeZone(),
                            // a copy: Flink reuses a deserialized record's lists for the next
                            new ArrayList<>(d.getDims()),
                            new HashMap<>());
        }
        sum.setHits(sum.getHits() + d.getHits());
        sum.setPageViews(sum.getPageViews() + d.getPageViews());
        sum.setSessions(sum.getSessions() + d.getSessions());
        sum.setBounces(sum.getBounces() + d.getBounces());
        sum.setSessionDurationMs(sum.getSessionDurationMs() + d.getSessionDurationMs());
        sum.setEvents(sum.getEvents() + d.getEvents());
        sum.setCartAdds(sum.getCartAdds() + d.getCartAdds());
        sum.setPurchases(sum.getPurchases() + d.getPurchases());
        sum.setCappedHits(sum.getCappedHits() + d.getCappedHits());
        if (!d.getRevenue().isEmpty()) {
            Map<String, Long> revenue = sum.getRevenue();
            d.getRevenue().forEach((currency, minor) -> revenue.merge(currency, minor, Long::sum));
        }
        return sum;
    }
}
