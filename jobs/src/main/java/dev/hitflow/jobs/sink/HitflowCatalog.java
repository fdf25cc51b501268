package dev.hitflow.jobs.sink;

import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.schemas.tables.HitflowTables;
import dev.hitflow.schemas.tables.HitflowTables.TableDef;
import dev.hitflow.schemas.tables.RightsTables;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.TableLoader;

/**
 * The Iceberg catalog Hitflow writes to, described by properties so that the local JDBC catalog on
 * SQLite and a production catalog (REST, JDBC on PostgreSQL, ...) take the same code path.
 */
public final class HitflowCatalog implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The JDBC catalog keys its rows by catalog name: readers must use the same name. */
    public static final String NAME = "hitflow";

    public static final String SQLITE_FILE = "catalog.db";

    private final String name;
    private final Map<String, String> properties;

    public HitflowCatalog(String name, Map<String, String> properties) {
        this.name = name;
        this.properties = Map.copyOf(properties);
    }

    /**
     * The local default: an Iceberg JDBC catalog on the SQLite file {@code catalog.db} inside the
     * warehouse folder, in WAL mode with a busy timeout so that several tables can commit at once.
     */
    public static HitflowCatalog local(Path warehouse) {
        Path dir = warehouse.toAbsolutePath().normalize();
        Map<String, String> props = new LinkedHashMap<>();
        props.put(CatalogProperties.CATALOG_IMPL, "org.apache.iceberg.jdbc.JdbcCatalog");
        props.put(CatalogProperties.URI, "jdbc:sqlite:" + dir.resolve(SQLITE_FILE));
        props.put(CatalogProperties.WAREHOUSE_LOCATION, dir.toUri().toString());
        props.put("jdbc.schema-version", "V1");
        props.put("jdbc.journal_mode", "WAL");
        props.put("jdbc.busy_timeout", "30000");
        props.put("jdbc.synchronous", "NORMAL");
        return new HitflowCatalog(NAME, props);
    }

    /**
     * A catalog described by a Java properties file of Iceberg catalog properties ({@code type} or
     * {@code catalog-impl}, {@code uri}, {@code warehouse}, {@code io-impl}, ...), plus the
     * optional {@code name} (default {@value #NAME}). Values may reference environment variables as
     * {@code ${env:NAME}} so that credentials come from Kubernetes Secrets, not the file.
     */
    public static HitflowCatalog fromPropertiesFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("catalog properties " + file + " does not exist");
        }
        java.util.Properties loaded = new java.util.Properties();
        try (java.io.Reader reader = Files.newBufferedReader(file)) {
            loaded.load(reader);
        } catch (java.io.IOException e) {
            throw new ConfigException(
                    "catalog properties " + file + " cannot be read: " + e.getMessage());
        }
        Map<String, String> props = new LinkedHashMap<>();
        for (String key : loaded.stringPropertyNames()) {
            props.put(key, resolveEnv(loaded.getProperty(key), key, file));
        }
        String name = props.getOrDefault("name", NAME);
        props.remove("name");
        if (!props.containsKey(CatalogProperties.CATALOG_IMPL) && !props.containsKey("type")) {
            throw new ConfigException(
                    "catalog properties "
                            + file
                            + " must set 'type' (rest, jdbc, hive, ...) or 'catalog-impl'");
        }
        // One spelling downstream: Iceberg's loaders take the implementation class.
        String type = props.remove("type");
        if (type != null) {
            props.putIfAbsent(CatalogProperties.CATALOG_IMPL, typeToImpl(type));
        }
        return new HitflowCatalog(name, props);
    }

    private static String typeToImpl(String type) {
        return switch (type) {
            case "rest" -> "org.apache.iceberg.rest.RESTCatalog";
            case "jdbc" -> "org.apache.iceberg.jdbc.JdbcCatalog";
            case "hadoop" -> "org.apache.iceberg.hadoop.HadoopCatalog";
            case "hive" -> "org.apache.iceberg.hive.HiveCatalog";
            default ->
                    throw new ConfigException(
                            "unknown catalog type '"
                                    + type
                                    + "' (rest, jdbc, hadoop, hive; or set catalog-impl)");
        };
    }

    private static String resolveEnv(String value, String key, Path file) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)}").matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String env = System.getenv(m.group(1));
            if (env == null) {
                throw new ConfigException(
                        "catalog properties "
                                + file
                                + ": '"
                                + key
                                + "' needs environment variable "
                                + m.group(1)
                                + ", which is not set");
            }
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(env));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Checks that the warehouse folder exists or can be made, and is writable. */
    public static Path requireWritableWarehouse(Path warehouse) {
        try {
            Files.createDirectories(warehouse);
        } catch (Exception e) {
            throw new ConfigException("warehouse folder " + warehouse + " cannot be created");
        }
        if (!Files.isDirectory(warehouse) || !Files.isWritable(warehouse)) {
            throw new ConfigException("warehouse folder " + warehouse + " is not writable");
        }
        return warehouse;
    }

    public String name() {
        return name;
    }

    public Map<String, String> properties() {
        return properties;
    }

    public Catalog open() {
        registerJdbcDrivers();
        return CatalogUtil.buildIcebergCatalog(name, properties, new Configuration());
    }

    public CatalogLoader loader() {
        return new DriverRegisteringLoader(
                CatalogLoader.custom(
                        name,
                        properties,
                        new Configuration(),
                        properties.get(CatalogProperties.CATALOG_IMPL)));
    }

    /**
     * Registers with {@link java.sql.DriverManager} the JDBC drivers (SQLite, PostgreSQL) that this
     * class's loader sees. DriverManager looks its drivers up once per JVM and hands a caller only
     * drivers of the caller's own class loader: the second job a Flink JobManager or TaskManager
     * runs gets a new user-code class loader, whose Iceberg JDBC catalog then found "No suitable
     * driver" (the production rehearsal's resubmission from a savepoint). Loading a driver class
     * registers it.
     */
    static void registerJdbcDrivers() {
        for (java.util.Iterator<java.sql.Driver> drivers =
                        java.util.ServiceLoader.load(
                                        java.sql.Driver.class,
                                        HitflowCatalog.class.getClassLoader())
                                .iterator();
                drivers.hasNext(); ) {
            try {
                drivers.next();
            } catch (java.util.ServiceConfigurationError e) {
                // a driver that cannot load here is not the one the catalog needs
            }
        }
    }

    /** Registers the JDBC drivers (see above) where the catalog is loaded: on the TaskManagers. */
    private static final class DriverRegisteringLoader implements CatalogLoader {
        private static final long serialVersionUID = 1L;
        private final CatalogLoader delegate;

        DriverRegisteringLoader(CatalogLoader delegate) {
            this.delegate = delegate;
        }

        @Override
        public Catalog loadCatalog() {
            registerJdbcDrivers();
            return delegate.loadCatalog();
        }

        @Override
        @SuppressWarnings({"MethodDoesntCallSuperMethod", "CloneDoesntCallSuperClone"})
        public CatalogLoader clone() {
            return new DriverRegisteringLoader(delegate.clone());
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }

    public TableLoader tableLoader(TableDef table) {
        return TableLoader.fromCatalog(loader(), table.id());
    }

    /** Opens the catalog, runs {@code work} on it, and closes it (JDBC catalogs hold a pool). */
    public <T> T withCatalog(java.util.function.Function<Catalog, T> work) {
        Catalog catalog = open();
        try {
            return work.apply(catalog);
        } finally {
            if (catalog instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    // closing a catalog client: nothing to recover
                }
            }
        }
    }

    /** Creates, in a catalog opened for the purpose, every table that does not exist yet. */
    public void createTables() {
        withCatalog(
                catalog -> {
                    createTables(catalog);
                    return null;
                });
    }

    /** Creates the namespace and every table that does not exist yet; existing ones are kept. */
    public void createTables(Catalog catalog) {
        if (catalog instanceof SupportsNamespaces namespaces
                && !namespaces.namespaceExists(HitflowTables.NAMESPACE)) {
            try {
                namespaces.createNamespace(HitflowTables.NAMESPACE);
            } catch (AlreadyExistsException e) {
                // created concurrently: fine
            }
        }
        for (TableDef def : HitflowTables.all()) {
            createTable(catalog, def);
        }
        // every job queues the data-subject requests it takes for the maintenance run
        createTable(catalog, RightsTables.RIGHTS_QUEUE_TABLE);
        createTable(catalog, RightsTables.SUPPRESSIONS_TABLE);
    }

    public static Table createTable(Catalog catalog, TableDef def) {
        if (catalog.tableExists(def.id())) {
            return addMissingColumns(catalog.loadTable(def.id()), def);
        }
        try {
            return catalog.createTable(def.id(), def.schema(), def.spec(), tableProperties(def));
        } catch (AlreadyExistsException e) {
            return catalog.loadTable(def.id());
        }
    }

    /**
     * Adds the columns a table made by an older version lacks (e.g. {@code visitors_trino}), with
     * Iceberg's own schema update: they read as null in the rows written before.
     */
    private static Table addMissingColumns(Table table, TableDef def) {
        for (var column : def.schema().columns()) {
            if (table.schema().findField(column.name()) == null) {
                table.updateSchema().unionByNameWith(def.schema()).commit();
                table.refresh();
                break;
            }
        }
        return table;
    }

    /** The properties a table is created with. */
    public static Map<String, String> tableProperties(TableDef def) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put(TableProperties.FORMAT_VERSION, "2");
        props.put(TableProperties.DEFAULT_FILE_FORMAT, "parquet");
        props.put(TableProperties.PARQUET_COMPRESSION, "zstd");
        // Streaming commits make many small metadata files; keep the history short.
        props.put(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true");
        props.put(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "20");
        return props;
    }
}
