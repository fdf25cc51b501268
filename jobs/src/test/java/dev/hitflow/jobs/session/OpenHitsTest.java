package dev.hitflow.jobs.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.avro.OpenHit;
import dev.hitflow.schemas.avro.VisitorContext;
import dev.hitflow.schemas.codec.RecordSamples;
import java.io.ByteArrayOutputStream;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class OpenHitsTest {

    /** A hit as the sessionizer holds it: every field set, but no session yet and not late. */
    private static EnrichedHit openHit(int seed) {
        EnrichedHit hit = RecordSamples.full(EnrichedHit.class, seed);
        hit.setSessionId(null);
        hit.setLate(false);
        hit.setSuppressionId(null); // the opt-out registry clears it before the sessionizer
        return hit;
    }

    private static EnrichedHit expand(EnrichedHit like, OpenHit compact, VisitorContext context) {
        return OpenHits.expand(
                like.getSiteId(), like.getVisitorId(), like.getHitId(), compact, context);
    }

    @Test
    void everyFieldComesBackUnderTheKeysContext() {
        EnrichedHit hit = openHit(1);
        VisitorContext context = OpenHits.contextOf(hit);
        OpenHit compact = OpenHits.compact(hit, context);

        assertThat(compact.getContext()).isNull();
        assertThat(expand(hit, compact, context)).isEqualTo(hit);
    }

    @Test
    void aHitWhoseContextDiffersKeepsItsOwn() {
        EnrichedHit first = openHit(1);
        VisitorContext context = OpenHits.contextOf(first);
        EnrichedHit moved = openHit(1);
        moved.setCity("Lyon");
        moved.setInactivityTimeoutMs(600_000L);

        OpenHit compact = OpenHits.compact(moved, context);

        assertThat(compact.getContext()).isNotNull();
        assertThat(compact.getContext().getCity()).isEqualTo("Lyon");
        assertThat(expand(moved, compact, context)).isEqualTo(moved);
    }

    @Test
    void theCompactFormSharesNothingTheDeserializerRefills() {
        EnrichedHit hit = openHit(2);
        EnrichedHit before = EnrichedHit.newBuilder(hit).build();
        VisitorContext context = OpenHits.contextOf(hit);
        OpenHit compact = OpenHits.compact(hit, context);

        // what Avro's reader does to a reused record: nested records and maps refilled in place
        hit.getCart().setQuantity(99);
        hit.getEvent().setAction("other");
        hit.getForm().clear();
        hit.getProperties().put("plan", "changed");

        assertThat(expand(before, compact, context)).isEqualTo(before);
    }

    @Test
    void aPageThatIsTheUrlsPathIsKeptOnceAndComesBackExactly() {
        EnrichedHit hit = openHit(4);
        hit.setUrl("https://www.example.fr/products/shoes?q=red#top");
        hit.setPage("/products/shoes");
        VisitorContext context = OpenHits.contextOf(hit);

        OpenHit compact = OpenHits.compact(hit, context);
        assertThat(compact.getPage()).isNull();
        assertThat(compact.getPageIsUrlPath()).isTrue();
        assertThat(expand(hit, compact, context)).isEqualTo(hit);

        hit.setPage("/products/shoes/");
        compact = OpenHits.compact(hit, context);
        assertThat(compact.getPage()).isEqualTo("/products/shoes/");
        assertThat(expand(hit, compact, context)).isEqualTo(hit);
    }

    @Test
    void pathOfAUrlAsWritten() {
        assertThat(OpenHits.pathOf("https://x.example/a/b?c=d")).isEqualTo("/a/b");
        assertThat(OpenHits.pathOf("https://x.example/a#f?g")).isEqualTo("/a");
        assertThat(OpenHits.pathOf("https://x.example")).isNull();
        assertThat(OpenHits.pathOf("https://x.example?q=1")).isNull();
        assertThat(OpenHits.pathOf(null)).isNull();
    }

    @Test
    void theCodecGivesBackWhatItWasGiven() {
        SessionStateCodec codec = new SessionStateCodec();
        EnrichedHit hit = openHit(5);
        VisitorContext context = OpenHits.contextOf(hit);
        EnrichedHit other = openHit(6);
        OpenHit withOwnContext = OpenHits.compact(other, context);
        OpenHit plain = OpenHits.compact(hit, context);

        assertThat(codec.decodeHit(codec.encode(withOwnContext))).isEqualTo(withOwnContext);
        assertThat(codec.decodeHit(codec.encode(plain))).isEqualTo(plain);
        assertThat(codec.encode(plain)[0]).isEqualTo(SessionStateCodec.FORMAT);
        assertThatThrownBy(() -> codec.decodeHit(new byte[] {9, 1, 2}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unknown format 9");
    }

    @Test
    void stateWrittenInFormatOneIsReadWithTheNewSettingsAtTheirDefaults() throws Exception {
        EnrichedHit hit = openHit(5);
        VisitorContext context = OpenHits.contextOf(hit);
        EnrichedHit moved = openHit(5);
        moved.setCity("Lyon"); // keeps its own context, the record that format 2 changed
        moved.setSplitOnCampaign(false);
        moved.setSplitAtMidnight(false);
        moved.setDedupeWindowMs(86_400_000L);
        moved.setMaxHitsPerVisitorDay(10_000);
        OpenHit compact = OpenHits.compact(moved, context);

        // what a job before format 2 wrote: the format byte 1, then the old schema's binary
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(1);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        // Avro's generated coders would write today's schema whatever the writer's: off here
        SpecificData schemaDriven = new SpecificData();
        schemaDriven.setCustomCoders(false);
        new SpecificDatumWriter<OpenHit>(SessionStateCodec.FORMAT_1_SCHEMA, schemaDriven)
                .write(compact, encoder);
        encoder.flush();
        byte[] format1 = bytes.toByteArray();

        SessionStateCodec codec = new SessionStateCodec();
        assertThat(format1.length).isLessThan(codec.encode(compact).length);
        assertThat(codec.decodeHit(format1)).isEqualTo(compact);
    }
}
