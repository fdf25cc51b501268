package dev.hitflow.schemas.codec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Records with every field set to a value other than its default, derived from the schema, so that
 * a codec test covers fields added to a schema after the test was written.
 */
public final class RecordSamples {
    private RecordSamples() {}

    /** An instance of {@code type} with every field set; {@code seed} varies the values. */
    public static <T extends SpecificRecordBase> T full(Class<T> type, int seed) {
        SpecificData data = SpecificData.getForClass(type);
        @SuppressWarnings("unchecked")
        T record = (T) value(data, data.getSchema(type), "", seed);
        return record;
    }

    private static Object value(SpecificData data, Schema schema, String name, int seed) {
        switch (schema.getType()) {
            case RECORD -> {
                SpecificRecordBase record = (SpecificRecordBase) data.newRecord(null, schema);
                for (Schema.Field field : schema.getFields()) {
                    record.put(field.pos(), value(data, field.schema(), field.name(), seed));
                }
                return record;
            }
            case UNION -> {
                for (Schema branch : schema.getTypes()) {
                    if (branch.getType() != Schema.Type.NULL) {
                        return value(data, branch, name, seed);
                    }
                }
                return null;
            }
            case STRING -> {
                return name + "-" + seed;
            }
            case INT -> {
                return 40 + seed;
            }
            case LONG -> {
                return 1_700_000_000_000L + seed;
            }
            case DOUBLE -> {
                return 0.5 + seed;
            }
            case FLOAT -> {
                return 0.25f + seed;
            }
            case BOOLEAN -> {
                return true;
            }
            case ENUM -> {
                List<String> symbols = schema.getEnumSymbols();
                return data.createEnum(symbols.get(seed % symbols.size()), schema);
            }
            case MAP -> {
                Map<String, Object> map = new LinkedHashMap<>();
                map.put(name + "-key-" + seed, value(data, schema.getValueType(), name, seed));
                return map;
            }
            case ARRAY -> {
                List<Object> list = new ArrayList<>();
                list.add(value(data, schema.getElementType(), name, seed));
                list.add(value(data, schema.getElementType(), name, seed + 1));
                return list;
            }
            case BYTES -> {
                return ByteBuffer.wrap(new byte[] {1, 2, (byte) seed});
            }
            default -> throw new IllegalArgumentException("no sample for " + schema);
        }
    }
}
