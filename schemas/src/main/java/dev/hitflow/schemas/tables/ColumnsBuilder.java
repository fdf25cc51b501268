package dev.hitflow.schemas.tables;

import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** Builds an Iceberg schema with field IDs assigned in declaration order, nested ones after. */
final class ColumnsBuilder {
    private final List<Types.NestedField> fields = new ArrayList<>();
    private int nextId = 1;
    private int nextNestedId = 1000;

    ColumnsBuilder required(String name, Type type) {
        fields.add(Types.NestedField.required(nextId++, name, type));
        return this;
    }

    ColumnsBuilder optional(String name, Type type) {
        fields.add(Types.NestedField.optional(nextId++, name, type));
        return this;
    }

    Types.MapType stringMap() {
        int key = nextNestedId++;
        int value = nextNestedId++;
        return Types.MapType.ofOptional(key, value, Types.StringType.get(), Types.StringType.get());
    }

    Types.MapType longMap() {
        int key = nextNestedId++;
        int value = nextNestedId++;
        return Types.MapType.ofOptional(key, value, Types.StringType.get(), Types.LongType.get());
    }

    Types.ListType list(Type element) {
        return Types.ListType.ofOptional(nextNestedId++, element);
    }

    Schema build() {
        return new Schema(fields);
    }
}
