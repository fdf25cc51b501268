package dev.hitflow.jobs.sink;

import dev.hitflow.jobs.aggregate.AggregateContributions;
import dev.hitflow.schemas.avro.Cart;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.Event;
import dev.hitflow.schemas.avro.PageTransition;
import dev.hitflow.schemas.avro.Session;
import dev.hitflow.schemas.avro.VisitorSuppression;
import dev.hitflow.schemas.tables.HitflowTables;
import dev.hitflow.schemas.tables.RightsTables;
import org.apache.flink.table.data.RowData;

/** Maps records onto the rows of the Iceberg tables (hits, sessions, page_transitions). */
public final class DetailRows {
    public static final RowLayout HITS = new RowLayout(HitflowTables.HITS_SCHEMA);
    public static final RowLayout SESSIONS = new RowLayout(HitflowTables.SESSIONS_SCHEMA);
    public static final RowLayout PAGE_TRANSITIONS =
            new RowLayout(HitflowTables.PAGE_TRANSITIONS_SCHEMA);

    public static final RowLayout RIGHTS_QUEUE = new RowLayout(RightsTables.RIGHTS_QUEUE_SCHEMA);

    private DetailRows() {}

    /** A request the stream job took, for the maintenance run; day is the UTC day it was taken. */
    public static RowData rightsQueue(VisitorSuppression r) {
        return RIGHTS_QUEUE
                .newRow()
                .string("tenant_id", r.getTenantId())
                .value("day", (int) Math.floorDiv(r.getRequestedAt(), 86_400_000L))
                .string("request_id", r.getRequestId())
                .string("type", r.getType())
                .string("id_kind", r.getIdKind())
                .string("key_version", r.getKeyVersion())
                .string("visitor_id", r.getVisitorId())
                .timestamp("requested_at", r.getRequestedAt())
                .build();
    }

    public static RowData hit(EnrichedHit h) {
        Event event = h.getEvent();
        Cart cart = h.getCart();
        return HITS.newRow()
                .string("tenant_id", h.getTenantId())
                .string("site_id", h.getSiteId())
                .string("hit_id", h.getHitId())
                .timestamp("received_at", h.getReceivedAt())
                .value("day", h.getDay())
                .string("hit_type", h.getHitType())
                .string("visitor_id", h.getVisitorId())
                .string("key_version", h.getKeyVersion())
                .string("id_kind", h.getIdKind())
                .string("consent", h.getConsent())
                .string("session_id", h.getSessionId())
                .value("late", h.getLate())
                .string("page", h.getPage())
                .string("url", h.getUrl())
                .string("referrer_host", h.getReferrerHost())
                .string("source_class", h.getSourceClass())
                .string("campaign_source", h.getCampaignSource())
                .string("campaign_medium", h.getCampaignMedium())
                .string("campaign_name", h.getCampaignName())
                .string("campaign_term", h.getCampaignTerm())
                .string("campaign_content", h.getCampaignContent())
                .string("country", h.getCountry())
                .string("region", h.getRegion())
                .string("city", h.getCity())
                .string("device_class", h.getDeviceClass())
                .string("os_name", h.getOsName())
                .string("os_version", h.getOsVersion())
                .string("agent_name", h.getAgentName())
                .string("agent_version", h.getAgentVersion())
                .value("is_bot", h.getIsBot())
                .value("counted_as_visitor", AggregateContributions.countsAsVisitor(h))
                .string("geo_cell", h.getGeoCell())
                .string("event_category", event == null ? null : event.getCategory())
                .string("event_action", event == null ? null : event.getAction())
                .string("event_label", event == null ? null : event.getLabel())
                .value("event_value", event == null ? null : event.getValue())
                .string("cart_action", cart == null ? null : cart.getAction())
                .string("cart_product_id", cart == null ? null : cart.getProductId())
                .value("cart_quantity", cart == null ? null : cart.getQuantity())
                .value("cart_price_minor", cart == null ? null : cart.getPriceMinor())
                .string("cart_currency", cart == null ? null : cart.getCurrency())
                .string("cart_order_id", cart == null ? null : cart.getOrderId())
                .stringMap("properties", h.getProperties())
                .stringMap("form", h.getForm())
                .build();
    }

    public static RowData pageTransition(PageTransition t) {
        return PAGE_TRANSITIONS
                .newRow()
                .string("tenant_id", t.getTenantId())
                .string("site_id", t.getSiteId())
                .value("day", t.getDay())
                .string("time_zone", t.getTimeZone())
                .string("from_page", t.getFromPage())
                .string("to_page", t.getToPage())
                .value("transitions", t.getTransitions())
                .build();
    }

    public static RowData session(Session s) {
        return SESSIONS.newRow()
                .string("tenant_id", s.getTenantId())
                .string("site_id", s.getSiteId())
                .string("session_id", s.getSessionId())
                .string("visitor_id", s.getVisitorId())
                .string("key_version", s.getKeyVersion())
                .value("day", s.getDay())
                .timestamp("started_at", s.getStartedAt())
                .timestamp("ended_at", s.getEndedAt())
                .value("duration_ms", s.getDurationMs())
                .value("hits", s.getHits())
                .value("page_views", s.getPageViews())
                .stringList("path", s.getPath())
                .string("entry_page", s.getEntryPage())
                .string("exit_page", s.getExitPage())
                .longList("time_on_page_ms", s.getTimeOnPageMs())
                .value("bounce", s.getBounce())
                .value("events", s.getEvents())
                .value("cart_adds", s.getCartAdds())
                .value("purchases", s.getPurchases())
                .longMap("revenue", s.getRevenue())
                .string("country", s.getCountry())
                .string("region", s.getRegion())
                .string("city", s.getCity())
                .string("device_class", s.getDeviceClass())
                .string("os_name", s.getOsName())
                .string("agent_name", s.getAgentName())
                .string("source_class", s.getSourceClass())
                .string("referrer_host", s.getReferrerHost())
                .string("campaign_source", s.getCampaignSource())
                .string("campaign_medium", s.getCampaignMedium())
                .string("campaign_name", s.getCampaignName())
                .string("campaign_term", s.getCampaignTerm())
                .string("campaign_content", s.getCampaignContent())
                .build();
    }
}
