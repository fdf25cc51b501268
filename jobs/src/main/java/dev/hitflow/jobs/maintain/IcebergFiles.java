package dev.hitflow.jobs.maintain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;

/** Reading and writing whole Parquet data files of a table as generic records. */
public final class IcebergFiles {
    private IcebergFiles() {}

    /** Every row of one data file. */
    public static List<Record> read(Table table, DataFile file) {
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> it =
                Parquet.read(table.io().newInputFile(file.location()))
                        .project(table.schema())
                        .createReaderFunc(
                                fileSchema ->
                                        GenericParquetReaders.buildReader(
                                                table.schema(), fileSchema))
                        .build()) {
            it.forEach(r -> rows.add(r.copy()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    /** Writes rows of one partition (given, or that of the first row) to a new data file. */
    public static DataFile write(Table table, StructLike partition, List<Record> rows) {
        return write(table, partition, rows, "maint-");
    }

    /** As {@link #write(Table, StructLike, List)}, the file's name starting with namePrefix. */
    static DataFile write(Table table, StructLike partition, List<Record> rows, String namePrefix) {
        StructLike key = partition;
        if (key == null) {
            PartitionKey pk = new PartitionKey(table.spec(), table.schema());
            pk.partition(new InternalRecordWrapper(table.schema().asStruct()).wrap(rows.get(0)));
            key = pk;
        }
        String name = namePrefix + UUID.randomUUID() + ".parquet";
        OutputFile out =
                table.io()
                        .newOutputFile(
                                table.locationProvider().newDataLocation(table.spec(), key, name));
        try {
            DataWriter<Record> writer =
                    Parquet.writeData(out)
                            .schema(table.schema())
                            .createWriterFunc(GenericParquetWriter::create)
                            .withSpec(table.spec())
                            .withPartition(key)
                            .overwrite()
                            .build();
            try (writer) {
                for (Record row : rows) {
                    writer.write(row);
                }
            }
            return writer.toDataFile();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends rows, one file per partition. */
    public static void append(Table table, List<Record> rows) {
        java.util.Map<String, List<Record>> byPartition = new java.util.LinkedHashMap<>();
        InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
        for (Record row : rows) {
            PartitionKey pk = new PartitionKey(table.spec(), table.schema());
            pk.partition(wrapper.wrap(row));
            byPartition.computeIfAbsent(pk.toPath(), k -> new ArrayList<>()).add(row);
        }
        var append = table.newAppend();
        for (List<Record> part : byPartition.values()) {
            append.appendFile(write(table, null, part));
        }
        append.commit();
    }

    static FileFormat format() {
        return FileFormat.PARQUET;
    }
}
