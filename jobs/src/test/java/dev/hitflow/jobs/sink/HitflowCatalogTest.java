package dev.hitflow.jobs.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.schemas.tables.HitflowTables;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HitflowCatalogTest {
    @TempDir Path warehouse;

    @Test
    void createsEveryTableOnceInTheSqliteCatalog() throws Exception {
        HitflowCatalog catalog = HitflowCatalog.local(warehouse);
        Catalog opened = catalog.open();
        catalog.createTables(opened);
        // a second run keeps the tables it finds
        catalog.createTables(catalog.open());

        assertThat(Files.exists(warehouse.resolve(HitflowCatalog.SQLITE_FILE))).isTrue();
        Table hits = opened.loadTable(HitflowTables.HITS);
        assertThat(hits.spec().fields())
                .extracting(f -> f.name())
                .containsExactly("tenant_id", "day");
        assertThat(((HasTableOperations) hits).operations().current().formatVersion()).isEqualTo(2);
        assertThat(opened.loadTable(HitflowTables.SESSIONS).schema().findField("path")).isNotNull();
        if (opened instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    @Test
    void refusesAWarehouseThatIsAFile() throws Exception {
        Path file = Files.createFile(warehouse.resolve("not-a-dir"));
        assertThatThrownBy(() -> HitflowCatalog.requireWritableWarehouse(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not-a-dir");
    }
}
