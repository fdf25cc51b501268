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

    @Test
    void catalogFromAPropertiesFileResolvesEnvironmentReferences() throws Exception {
        Path props = warehouse.resolve("catalog.properties");
        Files.writeString(
                props,
                "type=jdbc\nuri=jdbc:sqlite:"
                        + warehouse.resolve("c.db")
                        + "\nwarehouse="
                        + warehouse.toUri()
                        + "\njdbc.schema-version=V1\njdbc.user=${env:USER_THAT_IS_NOT_SET_42}\n");
        assertThatThrownBy(() -> HitflowCatalog.fromPropertiesFile(props))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "catalog properties "
                                + props
                                + ": 'jdbc.user' needs environment variable USER_THAT_IS_NOT_SET_42, which is not set");
        Files.writeString(
                props,
                Files.readString(props).replace("jdbc.user=${env:USER_THAT_IS_NOT_SET_42}\n", ""));
        HitflowCatalog catalog = HitflowCatalog.fromPropertiesFile(props);
        assertThat(catalog.name()).isEqualTo("hitflow");
        catalog.createTables(catalog.loader().loadCatalog());
        assertThat(catalog.loader().loadCatalog().tableExists(HitflowTables.HITS)).isTrue();
        assertThatThrownBy(
                        () ->
                                HitflowCatalog.fromPropertiesFile(
                                        warehouse.resolve("none.properties")))
                .hasMessage(
                        "catalog properties "
                                + warehouse.resolve("none.properties")
                                + " does not exist");
    }
}
