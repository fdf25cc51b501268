package dev.hitflow.jobs.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hitflow.schemas.avro.EnrichedHit;
import dev.hitflow.schemas.codec.RecordSamples;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.RowDataSerializer;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.Schema;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class RowLayoutTest {
    /** One column of every kind the tables use. */
    private static final Schema SCHEMA =
            new Schema(
                    Types.NestedField.required(1, "tenant_id", Types.StringType.get()),
                    Types.NestedField.required(2, "at", Types.TimestampType.withZone()),
                    Types.NestedField.required(3, "day", Types.DateType.get()),
                    Types.NestedField.optional(4, "hour", Types.IntegerType.get()),
                    Types.NestedField.optional(5, "hits", Types.LongType.get()),
                    Types.NestedField.optional(6, "late", Types.BooleanType.get()),
                    Types.NestedField.optional(7, "value", Types.DoubleType.get()),
                    Types.NestedField.optional(8, "sketch", Types.BinaryType.get()),
                    Types.NestedField.optional(
                            9,
                            "properties",
                            Types.MapType.ofOptional(
                                    20, 21, Types.StringType.get(), Types.StringType.get())),
                    Types.NestedField.optional(
                            10,
                            "revenue",
                            Types.MapType.ofOptional(
                                    22, 23, Types.StringType.get(), Types.LongType.get())),
                    Types.NestedField.optional(
                            11, "pages", Types.ListType.ofOptional(24, Types.StringType.get())),
                    Types.NestedField.optional(
                            12, "times", Types.ListType.ofOptional(25, Types.LongType.get())),
                    Types.NestedField.optional(13, "short", Types.StringType.get()),
                    Types.NestedField.optional(14, "unset", Types.StringType.get()));

    private static final RowType ROW_TYPE = FlinkSchemaUtil.convert(SCHEMA);

    @Test
    void writesTheBytesFlinksSerializerWouldHaveMadeOfTheSameValues() throws Exception {
        RowLayout layout = new RowLayout(SCHEMA);
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("plan", "pro");
        properties.put("ab", null);
        RowData row =
                layout.newRow()
                        .string("tenant_id", "acme-ünïcode-tenant")
                        .timestamp("at", 1_700_000_123_456L)
                        .value("day", 19_676)
                        .value("hour", 13)
                        .value("hits", 42L)
                        .value("late", true)
                        .value("value", 2.5)
                        .value("sketch", new byte[] {1, 2, 3})
                        .stringMap("properties", properties)
                        .longMap("revenue", Map.of("EUR", 1999L))
                        .stringList("pages", List.of("/", "/pricing"))
                        .longList("times", List.of(1L, 2L))
                        .string("short", "ab")
                        .build();

        Map<Object, Object> props = new HashMap<>();
        props.put(StringData.fromString("plan"), StringData.fromString("pro"));
        props.put(StringData.fromString("ab"), null);
        GenericRowData expected =
                GenericRowData.of(
                        StringData.fromString("acme-ünïcode-tenant"),
                        TimestampData.fromEpochMillis(1_700_000_123_456L),
                        19_676,
                        13,
                        42L,
                        true,
                        2.5,
                        new byte[] {1, 2, 3},
                        new GenericMapData(props),
                        new GenericMapData(Map.of(StringData.fromString("EUR"), 1999L)),
                        new GenericArrayData(
                                new Object[] {
                                    StringData.fromString("/"), StringData.fromString("/pricing")
                                }),
                        new GenericArrayData(new Object[] {1L, 2L}),
                        StringData.fromString("ab"),
                        null);

        assertThat(serialized(row)).isEqualTo(serialized(expected));
        RowData read = roundTrip(row);
        assertThat(read.getString(0).toString()).isEqualTo("acme-ünïcode-tenant");
        assertThat(read.getTimestamp(1, 6).getMillisecond()).isEqualTo(1_700_000_123_456L);
        assertThat(read.getInt(2)).isEqualTo(19_676);
        assertThat(read.getLong(4)).isEqualTo(42L);
        assertThat(read.getMap(8).size()).isEqualTo(2);
        assertThat(read.getArray(10).getString(1).toString()).isEqualTo("/pricing");
        assertThat(read.getString(12).toString()).isEqualTo("ab");
        assertThat(read.isNullAt(13)).isTrue();
    }

    @Test
    void columnsLeftUnsetOrSetToNullAreNullWhateverTheOrder() throws Exception {
        RowLayout layout = new RowLayout(SCHEMA);
        RowData row =
                roundTrip(
                        layout.newRow()
                                .value("hits", 7L)
                                .string("tenant_id", "t")
                                .timestamp("at", 5L)
                                .value("day", 1)
                                .string("short", null)
                                .stringMap("properties", null)
                                .build());
        assertThat(row.getString(0).toString()).isEqualTo("t");
        assertThat(row.getLong(4)).isEqualTo(7L);
        for (int p : new int[] {3, 5, 6, 7, 8, 9, 10, 11, 12, 13}) {
            assertThat(row.isNullAt(p)).as("column %d", p).isTrue();
        }
    }

    @Test
    void aValueOfTheWrongTypeFailsInsteadOfWritingOtherBytes() {
        RowLayout layout = new RowLayout(SCHEMA);
        assertThatThrownBy(() -> layout.newRow().value("hits", 7))
                .isInstanceOf(ClassCastException.class);
        assertThatThrownBy(() -> layout.newRow().value("nope", 7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no column nope");
    }

    @Test
    void aHitsRowReadsBackEveryValueOfTheHit() throws Exception {
        EnrichedHit hit = RecordSamples.full(EnrichedHit.class, 3);
        RowData row = roundTrip(DetailRows.hit(hit), DetailRows.HITS);
        RowType type = (RowType) DetailRows.HITS.typeInfo().toLogicalType();
        int hitId = type.getFieldIndex("hit_id");
        int city = type.getFieldIndex("city");
        int day = type.getFieldIndex("day");
        int received = type.getFieldIndex("received_at");
        assertThat(row.getString(hitId).toString()).isEqualTo(hit.getHitId());
        assertThat(row.getString(city).toString()).isEqualTo(hit.getCity());
        assertThat(row.getInt(day)).isEqualTo(hit.getDay());
        assertThat(row.getTimestamp(received, 6).getMillisecond()).isEqualTo(hit.getReceivedAt());
        assertThat(row.getMap(type.getFieldIndex("properties")).size())
                .isEqualTo(hit.getProperties().size());
    }

    /**
     * counted_as_visitor is the aggregates' own rule: a visitor ID, and not a bot of a tenant that
     * excludes bots; exactly the hits whose contributions carry their visitor.
     */
    @Test
    void countedAsVisitorIsTrueExactlyWhenTheHitAddsItsVisitorToTheSketches() throws Exception {
        int column =
                ((RowType) DetailRows.HITS.typeInfo().toLogicalType())
                        .getFieldIndex("counted_as_visitor");
        Map<String, Boolean> counted = new LinkedHashMap<>();
        Map<String, Boolean> inSketches = new LinkedHashMap<>();
        for (String kind : List.of("visitor", "kept-bot", "excluded-bot", "no-visitor")) {
            EnrichedHit hit = RecordSamples.full(EnrichedHit.class, 5);
            hit.setIsBot(kind.endsWith("bot"));
            hit.setExcludedBot(kind.equals("excluded-bot"));
            if (kind.equals("no-visitor")) {
                hit.setVisitorId(null);
            }
            counted.put(kind, roundTrip(DetailRows.hit(hit), DetailRows.HITS).getBoolean(column));
            inSketches.put(
                    kind,
                    dev.hitflow.jobs.aggregate.AggregateStage.contributionsOf(hit)
                                    .iterator()
                                    .next()
                                    .getVisitorId()
                            != null);
        }
        assertThat(counted)
                .isEqualTo(
                        Map.of(
                                "visitor", true,
                                "kept-bot", true,
                                "excluded-bot", false,
                                "no-visitor", false));
        assertThat(inSketches).isEqualTo(counted);
    }

    private static byte[] serialized(RowData row) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(512);
        new RowDataSerializer(ROW_TYPE).serialize(row, out);
        return out.getCopyOfBuffer();
    }

    private static RowData roundTrip(RowData row) throws Exception {
        return new RowDataSerializer(ROW_TYPE)
                .deserialize(new DataInputDeserializer(serialized(row)));
    }

    private static RowData roundTrip(RowData row, RowLayout layout) throws Exception {
        RowDataSerializer serializer =
                new RowDataSerializer((RowType) layout.typeInfo().toLogicalType());
        DataOutputSerializer out = new DataOutputSerializer(1024);
        serializer.serialize(row, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
