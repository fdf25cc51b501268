package dev.hitflow.jobs.maintain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.schemas.tables.HitflowTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;

/**
 * Hands a tenant its data: every row of that tenant in every table of {@code analytics}, one
 * Parquet file per table ({@code <table>.parquet}, the table's own schema, written by Iceberg's
 * generic Parquet writer) and {@code manifest.json} with the row count of each.
 */
public final class TenantExport {
    /** The manifest's name inside the export folder. */
    public static final String MANIFEST = "manifest.json";

    private TenantExport() {}

    /** Rows exported per table name, in table-name order. */
    public static Map<String, Long> export(Catalog catalog, String tenant, Path to, Instant now) {
        requireEmptyFolder(to);
        Map<String, Long> counts = new LinkedHashMap<>();
        try {
            Files.createDirectories(to);
            for (TableIdentifier id : tables(catalog)) {
                Table table = catalog.loadTable(id);
                counts.put(id.name(), write(table, tenant, to.resolve(id.name() + ".parquet")));
            }
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode manifest = json.createObjectNode();
            manifest.put("tenant_id", tenant);
            manifest.put("exported_at", now.toString());
            ObjectNode tables = manifest.putObject("tables");
            counts.forEach(
                    (name, rows) ->
                            tables.putObject(name)
                                    .put("file", name + ".parquet")
                                    .put("rows", rows));
            Files.writeString(to.resolve(MANIFEST), json.writeValueAsString(manifest) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counts;
    }

    /** Every table of the namespace, by name. */
    static List<TableIdentifier> tables(Catalog catalog) {
        List<TableIdentifier> ids = new ArrayList<>(catalog.listTables(HitflowTables.NAMESPACE));
        ids.sort((a, b) -> a.name().compareTo(b.name()));
        return ids;
    }

    private static long write(Table table, String tenant, Path file) throws IOException {
        long rows = 0;
        FileAppender<Record> appender =
                Parquet.write(org.apache.iceberg.Files.localOutput(file.toFile()))
                        .schema(table.schema())
                        .createWriterFunc(GenericParquetWriter::create)
                        .build();
        try (appender;
                CloseableIterable<Record> it =
                        IcebergGenerics.read(table)
                                .where(Expressions.equal("tenant_id", tenant))
                                .build()) {
            for (Record row : it) {
                // the scan prunes by partition; rows of files it must open are checked here
                if (tenant.equals(row.getField("tenant_id"))) {
                    appender.add(row);
                    rows++;
                }
            }
        }
        return rows;
    }

    private static void requireEmptyFolder(Path to) {
        if (!Files.exists(to)) {
            return;
        }
        if (!Files.isDirectory(to)) {
            throw new ConfigException("export folder " + to + " is a file");
        }
        try (Stream<Path> entries = Files.list(to)) {
            if (entries.findAny().isPresent()) {
                throw new ConfigException(
                        "export folder " + to + " is not empty: give a new or empty folder");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
