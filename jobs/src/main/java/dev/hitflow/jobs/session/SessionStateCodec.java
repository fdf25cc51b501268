package dev.hitflow.jobs.session;

import dev.hitflow.schemas.avro.OpenHit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
    public static final byte FORMAT = 1;

    private final SpecificDatumWriter<OpenHit> hitWriter =
            new SpecificDatumWriter<>(
                    OpenHit.getClassSchema(), SpecificData.getForClass(OpenHit.class));
    private final SpecificDatumReader<OpenHit> hitReader = new SpecificDatumReader<>(OpenHit.class);
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
        if (bytes.length == 0 || bytes[0] != FORMAT) {
            throw new IllegalStateException(
                    "sessionizer state of an unknown format "
                            + (bytes.length == 0 ? "(empty)" : Byte.toString(bytes[0])));
        }
        try {
            decoder = DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, decoder);
            return hitReader.read(null, decoder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
