package dev.hitflow.jobs.testing;

import dev.hitflow.jobs.sink.HitflowCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/** Reads a table's current rows back through Iceberg. */
public final class IcebergReader {
    private IcebergReader() {}

    public static List<Record> rows(HitflowCatalog catalog, TableIdentifier id) {
        Catalog opened = catalog.open();
        try (CloseableIterable<Record> records =
                IcebergGenerics.read(opened.loadTable(id)).build()) {
            List<Record> out = new ArrayList<>();
            records.forEach(r -> out.add(r.copy()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (opened instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    // test helper
                }
            }
        }
    }
}
