package dev.hitflow.jobs.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.shaded.org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.iceberg.shaded.org.apache.parquet.io.LocalInputFile;

/**
 * Looks for raw values in everything a run wrote: Parquet data files are decoded row by row
 * (compressed bytes would hide a value from a plain grep); every other file is read as text.
 */
public final class RawValueScanner {
    private RawValueScanner() {}

    /** Each finding as "file: value". */
    public static List<String> scan(Path root, List<String> rawValues, List<Path> excluded)
            throws IOException {
        List<String> findings = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (excluded.stream().anyMatch(file::startsWith)) {
                    continue;
                }
                String text =
                        file.toString().endsWith(".parquet")
                                ? parquetText(file)
                                : new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String raw : rawValues) {
                    if (text.contains(raw)) {
                        findings.add(root.relativize(file) + ": " + raw);
                    }
                }
            }
        }
        return findings;
    }

    /** Every value of every row of a Parquet file, as text. */
    public static String parquetText(Path file) throws IOException {
        Schema schema;
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            schema = ParquetSchemaUtil.convert(reader.getFileMetaData().getSchema());
        }
        StringBuilder out = new StringBuilder();
        try (CloseableIterable<Record> rows =
                Parquet.read(org.apache.iceberg.Files.localInput(file.toFile()))
                        .project(schema)
                        .createReaderFunc(
                                fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema))
                        .build()) {
            for (Record row : rows) {
                out.append(row).append('\n');
            }
        }
        return out.toString();
    }
}
