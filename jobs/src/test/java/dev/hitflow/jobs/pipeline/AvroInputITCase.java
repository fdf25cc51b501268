package dev.hitflow.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.jobs.testing.IcebergReader;
import dev.hitflow.jobs.testing.TestTenants;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.tables.HitflowTables;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An Avro container file goes through the same validation and into the same tables. */
class AvroInputITCase {
    @TempDir Path dir;

    static RawHit hit(String id, long at, String ip) {
        return RawHit.newBuilder()
                .setHitId(id)
                .setReceivedAt(at)
                .setSiteId("acme-shop")
                .setHitType(HitType.PAGE_VIEW)
                .setIp(ip)
                .setCookieId("cookie-avro-1")
                .setPage("/")
                .build();
    }

    @Test
    void readsAvroContainerFilesAndASecondRunAppends() throws Exception {
        Path tenants = TestTenants.writeAcme(dir);
        Path input = dir.resolve("hits.avro");
        long t0 = Instant.parse("2026-05-01T12:00:00Z").toEpochMilli();
        try (DataFileWriter<RawHit> writer =
                new DataFileWriter<>(new SpecificDatumWriter<>(RawHit.class))) {
            writer.create(RawHit.getClassSchema(), input.toFile());
            writer.append(hit("x1", t0, "81.2.69.142"));
            writer.append(hit("x2", t0 + 1000, "not-an-ip"));
            writer.append(hit("x3", t0 + 2000, "2001:480:10::1"));
        }
        LocalJob job =
                LocalJob.prepare(
                        new LocalJob.Options(
                                input,
                                0,
                                1,
                                tenants,
                                dir.resolve("w"),
                                1,
                                Duration.ofSeconds(1),
                                Duration.ofSeconds(30),
                                null));
        LocalJob.Result result = job.run();

        assertThat(result.rowsPerTable())
                .containsEntry("analytics.hits", 2L)
                .containsEntry("analytics.sessions", 1L);
        assertThat(result.deadLettersByReason()).isEqualTo(Map.of("BAD_IP", 1L));
        assertThat(IcebergReader.rows(HitflowCatalog.local(dir.resolve("w")), HitflowTables.HITS))
                .extracting(r -> r.getField("hit_id"))
                .containsExactlyInAnyOrder("x1", "x3");

        // a second run keeps the tables and appends; it counts only what it committed
        LocalJob.Result again = job.run();
        assertThat(again.runId()).isNotEqualTo(result.runId());
        assertThat(again.rowsPerTable()).containsEntry("analytics.hits", 2L);
        assertThat(IcebergReader.rows(HitflowCatalog.local(dir.resolve("w")), HitflowTables.HITS))
                .extracting(r -> r.getField("hit_id"))
                .containsExactlyInAnyOrder("x1", "x3", "x1", "x3");
    }
}
