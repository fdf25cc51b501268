package dev.hitflow.jobs.ingest;

import dev.hitflow.schemas.avro.RawHit;
import java.io.IOException;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * Reads an Avro container file of {@link RawHit} records for Flink's FileSource. The writer's
 * schema travels in the file, so older schema versions resolve against the current one.
 */
public final class AvroContainerFormat extends SimpleStreamFormat<RawHit> {
    private static final long serialVersionUID = 1L;

    @Override
    public StreamFormat.Reader<RawHit> createReader(Configuration config, FSDataInputStream stream)
            throws IOException {
        DataFileStream<RawHit> records =
                new DataFileStream<>(stream, new SpecificDatumReader<>(RawHit.class));
        return new StreamFormat.Reader<>() {
            @Override
            public RawHit read() {
                return records.hasNext() ? records.next() : null;
            }

            @Override
            public void close() throws IOException {
                records.close();
            }
        };
    }

    @Override
    public TypeInformation<RawHit> getProducedType() {
        return new AvroTypeInfo<>(RawHit.class);
    }
}
