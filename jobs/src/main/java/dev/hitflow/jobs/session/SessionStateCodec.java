package dev.hitflow.jobs.session;

import dev.hitflow.schemas.avro.OpenHit;
import dev.hitflow.schemas.avro.VisitorContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Bytes of the sessionizer's open hits ({@link OpenHit}): one format byte, then plain Avro binary
 * (variable-length integers, one byte per union branch). Flink's own Avro serializer writes every
 * int, long and union index at full width, a third more bytes for these records. A change of {@link
 * OpenHit} needs a new format byte and a reader of the old schema, so that a restored job reads the
 * state it saved (the key's {@code OpenKey} is kept by Flink's Avro serializer, whose state
 * snapshot carries its schema). Not thread-safe (reused buffers): one per operator instance.
 */
public final class SessionStateCodec {
    /** The first byte of every value: the schema generation it was written with. */
    public static final byte FORMAT = 2;

    /**
     * Format 1: a hit's own {@link VisitorContext} had none of the fields that format 2 appended
     * (the session options, dedupe window and cap); read back, they take their schema defaults.
     */
    static final byte FORMAT_1 = 1;

    private static final Set<String> ADDED_IN_FORMAT_2 =
            Set.of(
                    "split_on_campaign",
                    "split_at_midnight",
                    "dedupe_window_ms",
                    "max_hits_per_visitor_day");

    /** The schema of {@link OpenHit} as format 1 wrote it. */
    static final Schema FORMAT_1_SCHEMA = format1Schema();

    private final SpecificDatumWriter<OpenHit> hitWriter =
            new SpecificDatumWriter<>(
                    OpenHit.getClassSchema(), SpecificData.getForClass(OpenHit.class));
    private final SpecificDatumReader<OpenHit> hitReader = new SpecificDatumReader<>(OpenHit.class);
    private SpecificDatumReader<OpenHit> format1Reader;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private BinaryEncoder encoder;
    private BinaryDecoder decoder;

    public byte[] encode(OpenHit hit) {
        try {
            buffer.reset();
            buffer.write(FORMAT);
            encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
            hitWriter.write(hit, encoder);
            encoder.flush();
            return buffer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public OpenHit decodeHit(byte[] bytes) {
        SpecificDatumReader<OpenHit> reader;
        if (bytes.length > 0 && bytes[0] == FORMAT) {
            reader = hitReader;
        } else if (bytes.length > 0 && bytes[0] == FORMAT_1) {
            if (format1Reader == null) {
                format1Reader =
                        new SpecificDatumReader<>(
                                FORMAT_1_SCHEMA,
                                OpenHit.getClassSchema(),
                                SpecificData.getForClass(OpenHit.class));
            }
            reader = format1Reader;
        } else {
            throw new IllegalStateException(
                    "sessionizer state of an unknown format "
                            + (bytes.length == 0 ? "(empty)" : Byte.toString(bytes[0])));
        }
        try {
            decoder = DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, decoder);
            return reader.read(null, decoder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Today's OpenHit schema with the VisitorContext fields format 2 added taken out again. */
    private static Schema format1Schema() {
        Schema context = VisitorContext.getClassSchema();
        List<Schema.Field> contextFields = new ArrayList<>();
        for (Schema.Field f : context.getFields()) {
            if (!ADDED_IN_FORMAT_2.contains(f.name())) {
                contextFields.add(new Schema.Field(f, f.schema()));
            }
        }
        Schema oldContext =
                Schema.createRecord(
                        context.getName(), context.getDoc(), context.getNamespace(), false);
        oldContext.setFields(contextFields);
        Schema hit = OpenHit.getClassSchema();
        List<Schema.Field> hitFields = new ArrayList<>();
        for (Schema.Field f : hit.getFields()) {
            Schema type = f.schema();
            if (f.name().equals("context")) {
                type = Schema.createUnion(Schema.create(Schema.Type.NULL), oldContext);
            }
            hitFields.add(new Schema.Field(f, type));
        }
        Schema oldHit = Schema.createRecord(hit.getName(), hit.getDoc(), hit.getNamespace(), false);
        oldHit.setFields(hitFields);
        return oldHit;
    }
}
