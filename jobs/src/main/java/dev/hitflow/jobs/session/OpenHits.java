package dev.hitflow.jobs.session;

import dev.hitflow.schemas.avro.Cart;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.Event;
import dev.hitflow.schemas.avro.OpenHit;
import dev.hitflow.schemas.avro.VisitorContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The sessionizer's compact form of an open hit. The hits of one (site, visitor) share most of
 * their fields (tenant, geo, device, settings): those are kept once per key as a {@link
 * VisitorContext}; site and visitor ID are the key itself; each hit keeps only what varies ({@link
 * OpenHit}), its hit_id being the state key, and its page only where it is not its URL's path. A
 * hit whose context differs from its key's (a new IP city, a config change) keeps its own. {@link
 * #expand} gives back the exact hit: {@code expand(site, visitor, id, compact(hit, c), c)} equals
 * {@code hit} for every hit with no session ID and not late, which is every hit held open.
 */
public final class OpenHits {
    private OpenHits() {}

    /** The fields of {@code hit} that its key's hits share, but the key's own. */
    public static VisitorContext contextOf(EnrichedHit hit) {
        VisitorContext c = new VisitorContext();
        c.setTenantId(hit.getTenantId());
        c.setTimeZone(hit.getTimeZone());
        c.setKeyVersion(hit.getKeyVersion());
        c.setIdKind(hit.getIdKind());
        c.setConsent(hit.getConsent());
        c.setCountry(hit.getCountry());
        c.setRegion(hit.getRegion());
        c.setCity(hit.getCity());
        c.setDeviceClass(hit.getDeviceClass());
        c.setOsName(hit.getOsName());
        c.setOsVersion(hit.getOsVersion());
        c.setAgentName(hit.getAgentName());
        c.setAgentVersion(hit.getAgentVersion());
        c.setIsBot(hit.getIsBot());
        c.setExcludedBot(hit.getExcludedBot());
        c.setInactivityTimeoutMs(hit.getInactivityTimeoutMs());
        c.setMaxSessionMs(hit.getMaxSessionMs());
        c.setSplitOnCampaign(hit.getSplitOnCampaign());
        c.setSplitAtMidnight(hit.getSplitAtMidnight());
        c.setDedupeWindowMs(hit.getDedupeWindowMs());
        c.setMaxHitsPerVisitorDay(hit.getMaxHitsPerVisitorDay());
        return c;
    }

    /** Whether {@code hit}'s shared fields are those of {@code context}. */
    public static boolean sameContext(EnrichedHit hit, VisitorContext context) {
        return Objects.equals(hit.getTenantId(), context.getTenantId())
                && Objects.equals(hit.getTimeZone(), context.getTimeZone())
                && Objects.equals(hit.getKeyVersion(), context.getKeyVersion())
                && hit.getIdKind() == context.getIdKind()
                && hit.getConsent() == context.getConsent()
                && Objects.equals(hit.getCountry(), context.getCountry())
                && Objects.equals(hit.getRegion(), context.getRegion())
                && Objects.equals(hit.getCity(), context.getCity())
                && Objects.equals(hit.getDeviceClass(), context.getDeviceClass())
                && Objects.equals(hit.getOsName(), context.getOsName())
                && Objects.equals(hit.getOsVersion(), context.getOsVersion())
                && Objects.equals(hit.getAgentName(), context.getAgentName())
                && Objects.equals(hit.getAgentVersion(), context.getAgentVersion())
                && hit.getIsBot() == context.getIsBot()
                && hit.getExcludedBot() == context.getExcludedBot()
                && hit.getInactivityTimeoutMs() == context.getInactivityTimeoutMs()
                && hit.getMaxSessionMs() == context.getMaxSessionMs()
                && hit.getSplitOnCampaign() == context.getSplitOnCampaign()
                && hit.getSplitAtMidnight() == context.getSplitAtMidnight()
                && hit.getDedupeWindowMs() == context.getDedupeWindowMs()
                && hit.getMaxHitsPerVisitorDay() == context.getMaxHitsPerVisitorDay();
    }

    /**
     * The compact form of {@code hit} under its key's {@code context}. It shares no mutable object
     * with {@code hit}: jobs run with object reuse, so the deserializer before a keyed operator
     * refills the same record, nested records and maps for the next hit; strings are immutable.
     */
    public static OpenHit compact(EnrichedHit hit, VisitorContext context) {
        OpenHit o = new OpenHit();
        o.setReceivedAt(hit.getReceivedAt());
        o.setDay(hit.getDay());
        o.setHour(hit.getHour());
        o.setHitType(hit.getHitType());
        String page = hit.getPage();
        boolean pageIsPath = page != null && page.equals(pathOf(hit.getUrl()));
        o.setPage(pageIsPath ? null : page);
        o.setPageIsUrlPath(pageIsPath);
        o.setUrl(hit.getUrl());
        o.setReferrerHost(hit.getReferrerHost());
        o.setSourceClass(hit.getSourceClass());
        o.setCampaignSource(hit.getCampaignSource());
        o.setCampaignMedium(hit.getCampaignMedium());
        o.setCampaignName(hit.getCampaignName());
        o.setCampaignTerm(hit.getCampaignTerm());
        o.setCampaignContent(hit.getCampaignContent());
        o.setGeoCell(hit.getGeoCell());
        o.setEvent(copy(hit.getEvent()));
        o.setCart(copy(hit.getCart()));
        o.setForm(copy(hit.getForm()));
        o.setProperties(copy(hit.getProperties()));
        o.setContext(sameContext(hit, context) ? null : contextOf(hit));
        return o;
    }

    /** The hit again, from its key (site, visitor), its id, compact form and the key's context. */
    public static EnrichedHit expand(
            String siteId, String visitorId, String hitId, OpenHit o, VisitorContext keyContext) {
        VisitorContext c = o.getContext() != null ? o.getContext() : keyContext;
        EnrichedHit h = new EnrichedHit();
        h.setTenantId(c.getTenantId());
        h.setSiteId(siteId);
        h.setHitId(hitId);
        h.setReceivedAt(o.getReceivedAt());
        h.setDay(o.getDay());
        h.setHour(o.getHour());
        h.setTimeZone(c.getTimeZone());
        h.setHitType(o.getHitType());
        h.setVisitorId(visitorId);
        h.setKeyVersion(c.getKeyVersion());
        h.setIdKind(c.getIdKind());
        h.setConsent(c.getConsent());
        h.setSessionId(null);
        h.setLate(false);
        h.setPage(o.getPageIsUrlPath() ? pathOf(o.getUrl()) : o.getPage());
        h.setUrl(o.getUrl());
        h.setReferrerHost(o.getReferrerHost());
        h.setSourceClass(o.getSourceClass());
        h.setCampaignSource(o.getCampaignSource());
        h.setCampaignMedium(o.getCampaignMedium());
        h.setCampaignName(o.getCampaignName());
        h.setCampaignTerm(o.getCampaignTerm());
        h.setCampaignContent(o.getCampaignContent());
        h.setCountry(c.getCountry());
        h.setRegion(c.getRegion());
        h.setCity(c.getCity());
        h.setDeviceClass(c.getDeviceClass());
        h.setOsName(c.getOsName());
        h.setOsVersion(c.getOsVersion());
        h.setAgentName(c.getAgentName());
        h.setAgentVersion(c.getAgentVersion());
        h.setIsBot(c.getIsBot());
        h.setGeoCell(o.getGeoCell());
        h.setEvent(o.getEvent());
        h.setCart(o.getCart());
        h.setForm(o.getForm());
        h.setProperties(o.getProperties());
        h.setInactivityTimeoutMs(c.getInactivityTimeoutMs());
        h.setMaxSessionMs(c.getMaxSessionMs());
        h.setExcludedBot(c.getExcludedBot());
        h.setSplitOnCampaign(c.getSplitOnCampaign());
        h.setSplitAtMidnight(c.getSplitAtMidnight());
        h.setDedupeWindowMs(c.getDedupeWindowMs());
        h.setMaxHitsPerVisitorDay(c.getMaxHitsPerVisitorDay());
        return h;
    }

    /**
     * The path of a URL as written: from the first '/' after "scheme://host" to the query or the
     * end; null without one. Only compared with the page a hit carries, so it need not agree with
     * any other definition of a path: a page that is not exactly this is kept as it is.
     */
    static String pathOf(String url) {
        if (url == null) {
            return null;
        }
        int scheme = url.indexOf("://");
        int start = url.indexOf('/', scheme < 0 ? 0 : scheme + 3);
        if (start < 0) {
            return null;
        }
        int end = url.length();
        int query = url.indexOf('?', start);
        if (query >= 0) {
            end = query;
        }
        int fragment = url.indexOf('#', start);
        if (fragment >= 0 && fragment < end) {
            end = fragment;
        }
        return url.substring(start, end);
    }

    private static Event copy(Event e) {
        return e == null
                ? null
                : new Event(e.getCategory(), e.getAction(), e.getLabel(), e.getValue());
    }

    private static Cart copy(Cart c) {
        return c == null
                ? null
                : new Cart(
                        c.getAction(),
                        c.getProductId(),
                        c.getQuantity(),
                        c.getPriceMinor(),
                        c.getCurrency(),
                        c.getOrderId());
    }

    private static Map<String, String> copy(Map<String, String> m) {
        return m == null ? null : new LinkedHashMap<>(m);
    }
}
