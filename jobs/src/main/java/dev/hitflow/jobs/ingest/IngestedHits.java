package dev.hitflow.jobs.ingest;

import dev.hitflow.schemas.avro.DeadLetter;
import dev.hitflow.schemas.avro.RawHit;
import org.apache.flink.streaming.api.datastream.DataStream;

/** What ingest hands on: valid raw hits, and the dead letters of the invalid ones. */
public record IngestedHits(DataStream<RawHit> hits, DataStream<DeadLetter> deadLetters) {}
