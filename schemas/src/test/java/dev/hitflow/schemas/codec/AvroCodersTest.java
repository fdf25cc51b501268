package dev.hitflow.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

class AvroCodersTest {

    @Test
    void generatedCodersWriteAndReadTheSameBytesAsTheGenericPath() throws Exception {
        for (Class<? extends SpecificRecordBase> type : AvroCoders.RECORDS) {
            SpecificRecordBase record = RecordSamples.full(type, 3);
            SpecificData data = SpecificData.getForClass(type);

            data.setCustomCoders(false);
            byte[] generic = encode(record, data);
            data.setCustomCoders(true);
            byte[] custom = encode(record, data);

            assertThat(custom).as(type.getSimpleName()).isEqualTo(generic);
            assertThat(decode(custom, data, type)).as(type.getSimpleName()).isEqualTo(record);
        }
    }

    @Test
    void enableTurnsTheCodersOnForEveryRecordType() {
        AvroCoders.RECORDS.forEach(t -> SpecificData.getForClass(t).setCustomCoders(false));
        assertThat(AvroCoders.enabled()).isFalse();
        AvroCoders.enable();
        assertThat(AvroCoders.enabled()).isTrue();
        assertThat(System.getProperty(AvroCoders.PROPERTY)).isEqualTo("true");
    }

    private static byte[] encode(SpecificRecordBase record, SpecificData data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<SpecificRecordBase>(record.getSchema(), data)
                .write(record, encoder);
        encoder.flush();
        return bytes.toByteArray();
    }

    private static Object decode(byte[] bytes, SpecificData data, Class<?> type)
            throws IOException {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
        return new SpecificDatumReader<>(data.getSchema(type), data.getSchema(type), data)
                .read(null, decoder);
    }
}
