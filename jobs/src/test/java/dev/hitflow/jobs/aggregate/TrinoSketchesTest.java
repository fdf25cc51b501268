package dev.hitflow.jobs.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.avro.IdKind;
import dev.hitflow.udfs.identity.VisitorIdHasher;
import io.airlift.slice.Slices;
import io.airlift.stats.cardinality.HyperLogLog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Trino sketches: accuracy, merging, and Airlift's own reader on the stored bytes. */
class TrinoSketchesTest {
    private static final VisitorIdHasher IDS =
            new VisitorIdHasher(
                    "acme",
                    "v1",
                    "acme-test-key-0123456789abcdef!!".getBytes(StandardCharsets.US_ASCII));

    private static String visitor(int i) {
        return IDS.visitorId(IdKind.COOKIE, "cookie-" + i);
    }

    @Test
    void estimatesAHundredThousandDistinctVisitorsWithinTwoPercent() {
        HyperLogLog sketch = TrinoSketches.empty();
        for (int i = 0; i < 100_000; i++) {
            TrinoSketches.add(sketch, visitor(i));
            TrinoSketches.add(sketch, visitor(i)); // a visitor counted twice is one visitor
        }
        // read back from the stored bytes by Airlift's own deserializer, as Trino's CAST does
        HyperLogLog read =
                HyperLogLog.newInstance(Slices.wrappedBuffer(TrinoSketches.bytes(sketch)));
        assertThat(read.cardinality()).isBetween(98_000L, 102_000L);
        assertThat(read.cardinality()).isEqualTo(sketch.cardinality());
    }

    @Test
    void mergedPartialsAreTheSketchOfTheUnion() {
        HyperLogLog whole = TrinoSketches.empty();
        List<byte[]> parts = new ArrayList<>();
        // five overlapping partials: visitors 0..29,999, 20,000..49,999, ...
        for (int p = 0; p < 5; p++) {
            HyperLogLog part = TrinoSketches.empty();
            for (int i = p * 20_000; i < p * 20_000 + 30_000; i++) {
                TrinoSketches.add(part, visitor(i));
                TrinoSketches.add(whole, visitor(i));
            }
            parts.add(TrinoSketches.bytes(part));
        }
        ByteBuffer merged = null;
        for (byte[] part : parts) {
            merged = TrinoSketches.merge(merged, ByteBuffer.wrap(part), null);
        }
        byte[] mergedBytes = new byte[merged.remaining()];
        merged.duplicate().get(mergedBytes);
        assertThat(mergedBytes).isEqualTo(TrinoSketches.bytes(whole));
        assertThat(TrinoSketches.unionCardinality(parts)).isEqualTo(whole.cardinality());
        assertThat(whole.cardinality()).isBetween(107_800L, 112_200L);
    }

    @Test
    void smallSketchesStaySparseAndCountExactlyEnough() {
        ByteBuffer one = TrinoSketches.merge(null, null, visitor(1));
        ByteBuffer two = TrinoSketches.merge(one, null, visitor(2));
        ByteBuffer again = TrinoSketches.merge(two, one, visitor(2));
        byte[] bytes = new byte[again.remaining()];
        again.duplicate().get(bytes);
        assertThat(HyperLogLog.newInstance(Slices.wrappedBuffer(bytes)).cardinality()).isEqualTo(2);
        // Airlift's sparse format (tag 2) while few buckets are set: a few bytes per visitor
        assertThat(bytes[0]).isEqualTo((byte) 2);
        assertThat(bytes.length).isLessThan(32);
    }
}
