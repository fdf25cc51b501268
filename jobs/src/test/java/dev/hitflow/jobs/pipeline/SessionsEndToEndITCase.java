package dev.hitflow.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.jobs.ingest.HitValidator;
import dev.hitflow.jobs.ingest.JsonHitDecoder;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.testing.IcebergReader;
import dev.hitflow.schemas.avro.CartAction;
import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.config.BotPolicy;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantConfig;
import dev.hitflow.schemas.tables.HitflowTables;
import dev.hitflow.udfs.HitEnricher;
import dev.hitflow.udfs.agent.UserAgentClassifier;
import dev.hitflow.udfs.geo.GeoLocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated traffic through the whole local pipeline; the sessions read back from Iceberg equal,
 * field by field, those of a plain in-order reference written here: decode, validate and enrich
 * each line as the gate does, then sort each visitor's hits and cut on the tenant's rules.
 */
class SessionsEndToEndITCase {
    @TempDir Path dir;

    @Test
    void sessionsFromIcebergEqualTheInOrderReference() throws Exception {
        LocalJob job =
                LocalJob.prepare(
                        new LocalJob.Options(
                                null,
                                20_000,
                                11,
                                null,
                                dir.resolve("w"),
                                2,
                                Duration.ofSeconds(2),
                                Duration.ofSeconds(30),
                                null));
        LocalJob.Result result = job.run();

        List<String> actual = new ArrayList<>();
        for (Record r :
                IcebergReader.rows(HitflowCatalog.local(job.warehouse()), HitflowTables.SESSIONS)) {
            actual.add(canonical(r));
        }
        actual.sort(null);

        List<String> expected = reference(job, result.input());
        assertThat(expected).hasSizeGreaterThan(1_000);
        assertThat(actual).hasSize(expected.size());
        assertThat(actual).isEqualTo(expected);
    }

    private static List<String> reference(LocalJob job, Path input) throws Exception {
        JsonHitDecoder decoder = new JsonHitDecoder();
        HitValidator validator = new HitValidator(job.tenants());
        try (GeoLocator geo = GeoLocator.open(job.geoDatabase())) {
            HitEnricher enricher =
                    new HitEnricher(KeyRing.load(job.keysFile()), geo, new UserAgentClassifier());
            Map<String, List<EnrichedHit>> byKey = new TreeMap<>();
            Map<String, TenantConfig> tenantOf = new LinkedHashMap<>();
            for (String line : Files.readAllLines(input)) {
                if (line.isBlank() || line.length() > 64 * 1024) {
                    continue;
                }
                HitValidator.Outcome outcome;
                try {
                    outcome = validator.validate(decoder.decode(line), System.currentTimeMillis());
                } catch (JsonHitDecoder.DecodeException e) {
                    continue;
                }
                if (!(outcome instanceof HitValidator.Valid valid)) {
                    continue;
                }
                EnrichedHit hit = enricher.enrich(valid.hit(), valid.tenant());
                if (hit.getVisitorId() == null
                        || (hit.getIsBot() && valid.tenant().bots() == BotPolicy.EXCLUDE)) {
                    continue;
                }
                String key = hit.getSiteId() + "|" + hit.getVisitorId();
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(hit);
                tenantOf.put(key, valid.tenant());
            }
            List<String> sessions = new ArrayList<>();
            for (Map.Entry<String, List<EnrichedHit>> e : byKey.entrySet()) {
                TenantConfig tenant = tenantOf.get(e.getKey());
                long timeout = tenant.session().inactivityTimeout().toMillis();
                long max = tenant.session().maxLength().toMillis();
                List<EnrichedHit> hits = new ArrayList<>(e.getValue());
                hits.sort(
                        Comparator.comparingLong(EnrichedHit::getReceivedAt)
                                .thenComparing(EnrichedHit::getHitId));
                List<EnrichedHit> current = new ArrayList<>();
                for (EnrichedHit hit : hits) {
                    if (!current.isEmpty()
                            && (hit.getReceivedAt()
                                                    - current.get(current.size() - 1)
                                                            .getReceivedAt()
                                            > timeout
                                    || hit.getReceivedAt() - current.get(0).getReceivedAt()
                                            > max)) {
                        sessions.add(canonical(current, tenant));
                        current = new ArrayList<>();
                    }
                    current.add(hit);
                }
                sessions.add(canonical(current, tenant));
            }
            sessions.sort(null);
            return sessions;
        }
    }

    /** One session as text, from the reference's hits. */
    private static String canonical(List<EnrichedHit> hits, TenantConfig tenant) {
        EnrichedHit first = hits.get(0);
        EnrichedHit last = hits.get(hits.size() - 1);
        List<EnrichedHit> pages =
                hits.stream().filter(h -> h.getHitType() == HitType.PAGE_VIEW).toList();
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < pages.size(); i++) {
            long end =
                    i == pages.size() - 1 ? last.getReceivedAt() : pages.get(i + 1).getReceivedAt();
            times.add(end - pages.get(i).getReceivedAt());
        }
        Map<String, Long> revenue = new TreeMap<>();
        long adds = 0;
        long purchases = 0;
        for (EnrichedHit h : hits) {
            if (h.getCart() == null) {
                continue;
            }
            if (h.getCart().getAction() == CartAction.ADD) {
                adds++;
            } else if (h.getCart().getAction() == CartAction.PURCHASE) {
                purchases++;
                revenue.merge(
                        h.getCart().getCurrency(),
                        h.getCart().getPriceMinor() * h.getCart().getQuantity(),
                        Long::sum);
            }
        }
        List<String> path = pages.stream().map(EnrichedHit::getPage).toList();
        long events = hits.stream().filter(h -> h.getHitType() == HitType.EVENT).count();
        return String.join(
                "|",
                List.of(
                        tenant.id(),
                        first.getSiteId(),
                        first.getVisitorId(),
                        LocalDate.ofInstant(
                                        Instant.ofEpochMilli(first.getReceivedAt()),
                                        tenant.timeZone())
                                .toString(),
                        Long.toString(first.getReceivedAt()),
                        Long.toString(last.getReceivedAt()),
                        Long.toString(last.getReceivedAt() - first.getReceivedAt()),
                        Integer.toString(hits.size()),
                        Integer.toString(pages.size()),
                        path.toString(),
                        String.valueOf(path.isEmpty() ? null : path.get(0)),
                        String.valueOf(path.isEmpty() ? null : path.get(path.size() - 1)),
                        times.toString(),
                        Boolean.toString(pages.size() == 1),
                        Long.toString(events),
                        Long.toString(adds),
                        Long.toString(purchases),
                        revenue.toString(),
                        String.valueOf(first.getCountry()),
                        String.valueOf(first.getCity()),
                        String.valueOf(first.getDeviceClass()),
                        String.valueOf(first.getAgentName()),
                        String.valueOf(first.getSourceClass()),
                        String.valueOf(first.getReferrerHost()),
                        String.valueOf(first.getCampaignName())));
    }

    /** The same text from a sessions row. */
    @SuppressWarnings("unchecked")
    private static String canonical(Record r) {
        Map<String, Long> revenue = new TreeMap<>((Map<String, Long>) r.getField("revenue"));
        return String.join(
                "|",
                List.of(
                        (String) r.getField("tenant_id"),
                        (String) r.getField("site_id"),
                        (String) r.getField("visitor_id"),
                        r.getField("day").toString(),
                        Long.toString(
                                ((OffsetDateTime) r.getField("started_at"))
                                        .toInstant()
                                        .toEpochMilli()),
                        Long.toString(
                                ((OffsetDateTime) r.getField("ended_at"))
                                        .toInstant()
                                        .toEpochMilli()),
                        r.getField("duration_ms").toString(),
                        r.getField("hits").toString(),
                        r.getField("page_views").toString(),
                        r.getField("path").toString(),
                        String.valueOf(r.getField("entry_page")),
                        String.valueOf(r.getField("exit_page")),
                        r.getField("time_on_page_ms").toString(),
                        r.getField("bounce").toString(),
                        r.getField("events").toString(),
                        r.getField("cart_adds").toString(),
                        r.getField("purchases").toString(),
                        revenue.toString(),
                        String.valueOf(r.getField("country")),
                        String.valueOf(r.getField("city")),
                        String.valueOf(r.getField("device_class")),
                        String.valueOf(r.getField("agent_name")),
                        String.valueOf(r.getField("source_class")),
                        String.valueOf(r.getField("referrer_host")),
                        String.valueOf(r.getField("campaign_name"))));
    }
}
