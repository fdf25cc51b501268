package dev.hitflow.udfs;

import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.Event;
import dev.hitflow.schemas.avro.IdKind;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.BotPolicy;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.SessionSettings;
import dev.hitflow.schemas.config.TenantConfig;
import dev.hitflow.udfs.agent.AgentInfo;
import dev.hitflow.udfs.agent.UserAgentClassifier;
import dev.hitflow.udfs.consent.ConsentPolicy;
import dev.hitflow.udfs.geo.GeoLocation;
import dev.hitflow.udfs.geo.GeoLocator;
import dev.hitflow.udfs.geo.Geohash;
import dev.hitflow.udfs.identity.CookielessId;
import dev.hitflow.udfs.identity.VisitorIdHasher;
import dev.hitflow.udfs.ip.IpAddresses;
import dev.hitflow.udfs.url.Campaign;
import dev.hitflow.udfs.url.Referrer;
import dev.hitflow.udfs.url.ReferrerClassifier;
import dev.hitflow.udfs.url.ScrubbedUrl;
import dev.hitflow.udfs.url.SensitiveValues;
import dev.hitflow.udfs.url.UrlScrubber;
import java.net.InetAddress;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The privacy gate as one pure function: a {@link RawHit} in, an {@link EnrichedHit} out. In order:
 * consent, IP truncation, GeoIP (city at most), user agent, visitor ID (keyed hash), URL/referrer
 * scrubbing and campaign, GPS to a coarse cell (OPT_IN only), allowlisted form and properties. No
 * raw identifier is copied across: the output type has no field for one. Not thread-safe (HMAC
 * state): one per operator instance; the geo reader may be shared.
 */
public final class HitEnricher {
    /** Geohash length of the GPS cell: about 5 km x 5 km. */
    public static final int GEO_CELL_PRECISION = 5;

    private final KeyRing keys;
    private final GeoLocator geo;
    private final UserAgentClassifier agents;
    private final Map<String, TenantIdentity> identities = new HashMap<>();

    /**
     * @param geo null: geo columns stay null
     * @param agents null: device and agent columns stay null, no hit is flagged as a bot
     */
    public HitEnricher(KeyRing keys, GeoLocator geo, UserAgentClassifier agents) {
        this.keys = keys;
        this.geo = geo;
        this.agents = agents;
    }

    /** {@code suppression}: null when the ring holds no suppression key for the tenant. */
    private record TenantIdentity(
            String keyVersion,
            VisitorIdHasher hasher,
            CookielessId cookieless,
            VisitorIdHasher suppression) {}

    public EnrichedHit enrich(RawHit raw, TenantConfig tenant) {
        Consent consent = ConsentPolicy.effective(raw.getConsent(), tenant.defaultConsent());
        ZonedDateTime local = Instant.ofEpochMilli(raw.getReceivedAt()).atZone(tenant.timeZone());

        Optional<InetAddress> ip = IpAddresses.parse(raw.getIp());
        InetAddress truncated = ip.map(IpAddresses::truncate).orElse(null);
        GeoLocation location =
                geo == null || ip.isEmpty()
                        ? GeoLocation.UNKNOWN
                        : geo.locate(tenant.ipTruncation() ? truncated : ip.get());
        AgentInfo agent = agents == null ? AgentInfo.UNKNOWN : agents.classify(raw.getUserAgent());

        ScrubbedUrl url = UrlScrubber.scrub(raw.getUrl(), tenant.urlParamsKept());
        Campaign campaign = url.campaign();
        Referrer referrer =
                ReferrerClassifier.classify(raw.getReferrer(), url.host(), campaign.present());

        SessionSettings session =
                tenant.session() == null ? SessionSettings.defaults() : tenant.session();
        // Setters on a new record, not Avro's builder: its build() deep-copies a default value
        // for every field left unset, on every hit.
        EnrichedHit out = new EnrichedHit();
        out.setTenantId(tenant.id());
        out.setSiteId(raw.getSiteId());
        out.setHitId(raw.getHitId());
        out.setReceivedAt(raw.getReceivedAt());
        out.setDay((int) local.toLocalDate().toEpochDay());
        out.setHour(local.getHour());
        out.setTimeZone(tenant.timeZone().getId());
        out.setHitType(raw.getHitType());
        out.setConsent(consent);
        out.setPage(page(raw.getPage(), url));
        out.setUrl(url.url());
        out.setReferrerHost(referrer.host());
        out.setSourceClass(referrer.sourceClass().label());
        out.setCampaignSource(campaign.source());
        out.setCampaignMedium(campaign.medium());
        out.setCampaignName(campaign.name());
        out.setCampaignTerm(campaign.term());
        out.setCampaignContent(campaign.content());
        out.setCountry(location.country());
        out.setRegion(location.region());
        out.setCity(location.city());
        out.setDeviceClass(agent.deviceClass());
        out.setOsName(agent.osName());
        out.setOsVersion(agent.osVersion());
        out.setAgentName(agent.agentName());
        out.setAgentVersion(agent.agentVersion());
        out.setIsBot(agent.bot());
        out.setExcludedBot(agent.bot() && tenant.bots() == BotPolicy.EXCLUDE);
        out.setInactivityTimeoutMs(session.inactivityTimeout().toMillis());
        out.setMaxSessionMs(session.maxLength().toMillis());
        out.setSplitOnCampaign(session.splitOnCampaign());
        out.setSplitAtMidnight(session.splitAtMidnight());
        out.setDedupeWindowMs(session.dedupeWindow().toMillis());
        out.setMaxHitsPerVisitorDay(session.maxHitsPerVisitorDay());
        out.setEvent(event(raw.getEvent()));
        out.setCart(raw.getCart());
        out.setProperties(allowlisted(raw.getProperties(), tenant.propertyKeysKept()));

        if (ConsentPolicy.allowsForm(consent)) {
            out.setForm(allowlisted(raw.getForm(), tenant.formKeysKept()));
        }
        if (ConsentPolicy.allowsGps(consent) && raw.getGps() != null) {
            out.setGeoCell(
                    Geohash.encode(
                            raw.getGps().getLat(), raw.getGps().getLon(), GEO_CELL_PRECISION));
        }
        if (ConsentPolicy.allowsVisitorId(consent)) {
            TenantIdentity identity = identity(tenant);
            IdKind kind;
            String id;
            String identifier = null;
            if (raw.getUserId() != null
                    && tenant.identifiedVisitors()
                    && ConsentPolicy.allowsUserId(consent)) {
                kind = IdKind.USER;
                identifier = raw.getUserId();
            } else if (raw.getCookieId() != null) {
                kind = IdKind.COOKIE;
                identifier = raw.getCookieId();
            } else if (raw.getMobileId() != null) {
                kind = IdKind.MOBILE;
                identifier = raw.getMobileId();
            } else {
                kind = IdKind.COOKIELESS;
            }
            if (identifier != null) {
                id = identity.hasher().visitorId(kind, identifier);
                // for the opt-out registry's lookup only: it clears the field
                if (identity.suppression() != null) {
                    out.setSuppressionId(identity.suppression().suppressionId(kind, identifier));
                }
            } else {
                id =
                        identity.cookieless()
                                .visitorId(
                                        local.toLocalDate(),
                                        raw.getSiteId(),
                                        truncated == null ? "" : IpAddresses.toText(truncated),
                                        raw.getUserAgent());
            }
            out.setVisitorId(id);
            out.setIdKind(kind);
            out.setKeyVersion(identity.keyVersion());
        }
        return out;
    }

    private TenantIdentity identity(TenantConfig tenant) {
        TenantIdentity identity = identities.get(tenant.id());
        if (identity == null || !identity.keyVersion().equals(tenant.currentKey())) {
            VisitorIdHasher hasher =
                    new VisitorIdHasher(
                            tenant.id(),
                            tenant.currentKey(),
                            keys.key(tenant.id(), tenant.currentKey()));
            identity =
                    new TenantIdentity(
                            tenant.currentKey(),
                            hasher,
                            new CookielessId(hasher),
                            keys.hasSuppressionKey(tenant.id())
                                    ? new VisitorIdHasher(
                                            tenant.id(),
                                            KeyRing.SUPPRESSION,
                                            keys.suppressionKey(tenant.id()))
                                    : null);
            identities.put(tenant.id(), identity);
        }
        return identity;
    }

    /** The page label (redacted if it looks like personal data), else the scrubbed URL path. */
    private static String page(String label, ScrubbedUrl url) {
        if (label != null) {
            return SensitiveValues.isSensitive(label) ? UrlScrubber.REDACTED : label;
        }
        return url.path();
    }

    private static Event event(Event event) {
        if (event == null
                || event.getLabel() == null
                || !SensitiveValues.isSensitive(event.getLabel())) {
            return event;
        }
        return Event.newBuilder(event).setLabel(null).build();
    }

    /** Only the tenant's allowlisted keys, and of those no value that looks like personal data. */
    static Map<String, String> allowlisted(Map<String, String> values, Set<String> keep) {
        if (values == null || keep.isEmpty()) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach(
                (k, v) -> {
                    if (keep.contains(k) && !SensitiveValues.isSensitive(v)) {
                        out.put(k, v);
                    }
                });
        return out.isEmpty() ? null : out;
    }
}
