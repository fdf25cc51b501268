package dev.hitflow.jobs.sink;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.Schema;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.Types;

/**
 * Column positions of an Iceberg schema, to fill Flink {@link RowData} by column name with the
 * internal types Iceberg's Flink writer expects (StringData, TimestampData, epoch-day int, ...).
 */
public final class RowLayout implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, Integer> positions = new HashMap<>();
    private final int arity;
    private final RowType rowType;

    public RowLayout(Schema schema) {
        List<Types.NestedField> columns = schema.columns();
        for (int i = 0; i < columns.size(); i++) {
            positions.put(columns.get(i).name(), i);
        }
        this.arity = columns.size();
        this.rowType = FlinkSchemaUtil.convert(schema);
    }

    /** The typed information for a stream of these rows: never Kryo. */
    public InternalTypeInfo<RowData> typeInfo() {
        return InternalTypeInfo.of(rowType);
    }

    public Row newRow() {
        return new Row(new GenericRowData(arity));
    }

    /** A row being filled. */
    public final class Row {
        private final GenericRowData data;

        private Row(GenericRowData data) {
            this.data = data;
        }

        private int pos(String column) {
            Integer p = positions.get(column);
            if (p == null) {
                throw new IllegalArgumentException("no column " + column);
            }
            return p;
        }

        public Row string(String column, Object value) {
            data.setField(
                    pos(column), value == null ? null : StringData.fromString(value.toString()));
            return this;
        }

        public Row timestamp(String column, long epochMillis) {
            data.setField(pos(column), TimestampData.fromEpochMillis(epochMillis));
            return this;
        }

        /**
         * A value Flink stores as is: Integer (also epoch-day dates), Long, Boolean, Double,
         * byte[].
         */
        public Row value(String column, Object value) {
            data.setField(pos(column), value);
            return this;
        }

        public Row stringMap(String column, Map<String, String> map) {
            if (map == null) {
                data.setField(pos(column), null);
                return this;
            }
            Map<Object, Object> converted = new HashMap<>();
            map.forEach(
                    (k, v) -> converted.put(StringData.fromString(k), StringData.fromString(v)));
            data.setField(pos(column), new GenericMapData(converted));
            return this;
        }

        public Row longMap(String column, Map<String, Long> map) {
            if (map == null) {
                data.setField(pos(column), null);
                return this;
            }
            Map<Object, Object> converted = new HashMap<>();
            map.forEach((k, v) -> converted.put(StringData.fromString(k), v));
            data.setField(pos(column), new GenericMapData(converted));
            return this;
        }

        public Row stringList(String column, List<String> list) {
            data.setField(
                    pos(column),
                    list == null
                            ? null
                            : new GenericArrayData(
                                    list.stream().map(StringData::fromString).toArray()));
            return this;
        }

        public Row longList(String column, List<Long> list) {
            data.setField(
                    pos(column),
                    list == null ? null : new GenericArrayData(list.toArray(new Object[0])));
            return this;
        }

        public RowData build() {
            return data;
        }
    }
}
