package dev.hitflow.jobs.ingest;

import dev.hitflow.schemas.avro.RawHit;
import dev.hitflow.schemas.config.TenantRegistry;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Bounded file input: JSON Lines (any name), or an Avro container file ({@code .avro}). Read by
 * Flink's FileSource, then decoded and validated into hits and dead letters.
 */
public final class FileHitSource {
    private FileHitSource() {}

    public static boolean isAvro(Path file) {
        return file.getFileName().toString().endsWith(".avro");
    }

    public static IngestedHits read(
            StreamExecutionEnvironment env, Path file, TenantRegistry tenants) {
        org.apache.flink.core.fs.Path path =
                new org.apache.flink.core.fs.Path(file.toAbsolutePath().toUri());
        String source = file.getFileName().toString();
        SingleOutputStreamOperator<RawHit> hits;
        if (isAvro(file)) {
            DataStream<RawHit> records =
                    env.fromSource(
                                    FileSource.forRecordStreamFormat(
                                                    new AvroContainerFormat(), path)
                                            .build(),
                                    WatermarkStrategy.noWatermarks(),
                                    "file-source-avro")
                            .uid("file-source-avro");
            hits =
                    records.process(new RawHitIngestFunction(tenants, source))
                            .returns(new AvroTypeInfo<>(RawHit.class))
                            .name("ingest-avro")
                            .uid("ingest-avro");
        } else {
            DataStream<byte[]> lines =
                    env.fromSource(
                                    FileSource.forRecordStreamFormat(new JsonLinesFormat(), path)
                                            .build(),
                                    WatermarkStrategy.noWatermarks(),
                                    "file-source-jsonl")
                            .uid("file-source-jsonl");
            // A text file is one split, read by one subtask: spread the decoding over all.
            hits =
                    lines.rebalance()
                            .process(new JsonLinesIngestFunction(tenants, source))
                            .returns(new AvroTypeInfo<>(RawHit.class))
                            .name("ingest-json")
                            .uid("ingest-json");
        }
        return new IngestedHits(hits, hits.getSideOutput(IngestFunction.DEAD_LETTERS));
    }
}
