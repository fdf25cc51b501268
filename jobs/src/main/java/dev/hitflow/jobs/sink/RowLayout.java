package dev.hitflow.jobs.sink;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.data.binary.BinaryRowData;
import org.apache.flink.table.data.writer.BinaryRowWriter;
import org.apache.flink.table.data.writer.BinaryWriter;
import org.apache.flink.table.runtime.typeutils.InternalSerializers;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.iceberg.Schema;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.Types;

/**
 * Column positions of an Iceberg schema, to fill Flink {@link RowData} by column name with the
 * internal types Iceberg's Flink writer expects (StringData, TimestampData, epoch-day int, ...).
 *
 * <p>Rows are written in Flink's binary row format as they are filled ({@link BinaryRowData}):
 * every row goes on to a writer through a network shuffle, whose serializer copies a binary row's
 * bytes as they are but converts any other row field by field first (each string encoded, then
 * copied twice: a fifth of the sessionizer's thread). Strings are encoded once, here, by the JDK.
 */
public final class RowLayout implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Bytes reserved for the variable-length part of a new row; it grows when needed. */
    private static final int INITIAL_VARIABLE_BYTES = 256;

    /**
     * What the variable part of the last row built needed, plus some room: the next row starts with
     * that much, so a layout whose rows carry URLs and many strings does not reallocate and copy
     * its buffer as it fills. Shared by the layout's rows on every thread; a stale value is only a
     * worse first guess.
     */
    private transient int variableBytesHint = INITIAL_VARIABLE_BYTES;

    private final Map<String, Integer> positions = new HashMap<>();
    private final String[] names;
    private final int arity;
    private final int fixedBytes;
    private final RowType rowType;
    private final LogicalType[] types;

    public RowLayout(Schema schema) {
        List<Types.NestedField> columns = schema.columns();
        names = new String[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            names[i] = columns.get(i).name();
            positions.put(names[i], i);
        }
        this.arity = columns.size();
        this.fixedBytes = BinaryRowData.calculateFixPartSizeInBytes(arity);
        this.rowType = FlinkSchemaUtil.convert(schema);
        this.types = rowType.getChildren().toArray(new LogicalType[0]);
    }

    /** The typed information for a stream of these rows: never Kryo. */
    public InternalTypeInfo<RowData> typeInfo() {
        return InternalTypeInfo.of(rowType);
    }

    public Row newRow() {
        return new Row();
    }

    /** A row being filled; columns left unset are null. */
    public final class Row {
        private final BinaryRowData data = new BinaryRowData(arity);
        private final BinaryRowWriter writer =
                new BinaryRowWriter(data, Math.max(variableBytesHint, INITIAL_VARIABLE_BYTES));
        private final boolean[] set = new boolean[arity];

        /** The column after the last one filled: rows are mostly filled in the schema's order. */
        private int next;

        private Row() {
            writer.reset();
        }

        private int pos(String column) {
            int p;
            if (next < arity && names[next].equals(column)) {
                // in order: no hash lookup (the names are the same interned constants)
                p = next;
            } else {
                Integer found = positions.get(column);
                if (found == null) {
                    throw new IllegalArgumentException("no column " + column);
                }
                p = found;
            }
            next = p + 1;
            set[p] = true;
            return p;
        }

        public Row string(String column, Object value) {
            int p = pos(column);
            if (value == null) {
                writer.setNullAt(p);
            } else {
                // A string column holds its UTF-8 bytes exactly as a binary one does (inline up
                // to 7 bytes, else in the variable part), so the bytes go in as they are. Through
                // writeString they were first wrapped in a StringData and a MemorySegment (with
                // its array and flag): five objects per column, 15% of all the pipeline allocated.
                writer.writeBinary(p, value.toString().getBytes(StandardCharsets.UTF_8));
            }
            return this;
        }

        public Row timestamp(String column, long epochMillis) {
            int p = pos(column);
            writer.writeTimestamp(p, TimestampData.fromEpochMillis(epochMillis), precision(p));
            return this;
        }

        /**
         * A value Flink stores as is: Integer (also epoch-day dates), Long, Boolean, Double,
         * byte[]; it must be of the column's type (a cast fails otherwise, nothing is written).
         */
        public Row value(String column, Object value) {
            return write(pos(column), value);
        }

        public Row stringMap(String column, Map<String, String> map) {
            if (map == null) {
                return write(pos(column), null);
            }
            Map<Object, Object> converted = new HashMap<>();
            map.forEach(
                    (k, v) -> converted.put(StringData.fromString(k), StringData.fromString(v)));
            return write(pos(column), new GenericMapData(converted));
        }

        public Row longMap(String column, Map<String, Long> map) {
            if (map == null) {
                return write(pos(column), null);
            }
            Map<Object, Object> converted = new HashMap<>();
            map.forEach((k, v) -> converted.put(StringData.fromString(k), v));
            return write(pos(column), new GenericMapData(converted));
        }

        public Row stringList(String column, List<String> list) {
            return write(
                    pos(column),
                    list == null
                            ? null
                            : new GenericArrayData(
                                    list.stream().map(StringData::fromString).toArray()));
        }

        public Row longList(String column, List<Long> list) {
            return write(
                    pos(column),
                    list == null ? null : new GenericArrayData(list.toArray(new Object[0])));
        }

        public RowData build() {
            for (int p = 0; p < arity; p++) {
                if (!set[p]) {
                    writer.setNullAt(p);
                }
            }
            writer.complete();
            variableBytesHint = Math.min(data.getSizeInBytes() - fixedBytes + 64, 4096);
            return data;
        }

        private Row write(int p, Object value) {
            if (value == null) {
                writer.setNullAt(p);
                return this;
            }
            LogicalType type = types[p];
            switch (type.getTypeRoot()) {
                case BOOLEAN -> writer.writeBoolean(p, (Boolean) value);
                case INTEGER, DATE, TIME_WITHOUT_TIME_ZONE -> writer.writeInt(p, (Integer) value);
                case BIGINT -> writer.writeLong(p, (Long) value);
                case DOUBLE -> writer.writeDouble(p, (Double) value);
                case BINARY, VARBINARY -> writer.writeBinary(p, (byte[]) value);
                // maps and arrays, through their serializers (per thread: scratch buffers)
                default -> BinaryWriter.write(writer, p, value, type, serializer(type));
            }
            return this;
        }

        private int precision(int p) {
            LogicalType type = types[p];
            if (type.getTypeRoot() == LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE) {
                return ((LocalZonedTimestampType) type).getPrecision();
            }
            return ((TimestampType) type).getPrecision();
        }
    }

    /**
     * Serializers of the nested types (maps, arrays), per thread: they hold scratch buffers, and
     * the layouts are shared by every subtask of a JVM. Keyed by the layouts' own type objects.
     */
    private static final ThreadLocal<Map<LogicalType, TypeSerializer<?>>> SERIALIZERS =
            ThreadLocal.withInitial(IdentityHashMap::new);

    private static TypeSerializer<?> serializer(LogicalType type) {
        return switch (type.getTypeRoot()) {
            case ARRAY, MAP, MULTISET, ROW, RAW ->
                    SERIALIZERS.get().computeIfAbsent(type, InternalSerializers::create);
            default -> null;
        };
    }
}
