package dev.hitflow.jobs.cli;

import dev.hitflow.jobs.pipeline.LocalJob;
import dev.hitflow.jobs.pipeline.LocalKeys;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantConfigLoader;
import dev.hitflow.schemas.config.TenantRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The catalog, tenants and keys a command works on; shared by maintain and rights. */
final class CatalogOptions {
    Where where;

    static final class Where {
        @Option(names = "--warehouse", paramLabel = "DIR", description = "Local warehouse folder.")
        Path warehouse;

        @Option(
                names = "--catalog-properties",
                paramLabel = "FILE",
                description = "Iceberg catalog properties file (type, uri, warehouse, ...).")
        Path properties;
    }

    Path tenants;

    HitflowCatalog catalog() {
        return catalog(where);
    }

    /** The local warehouse's catalog (which must exist), or the one a properties file names. */
    static HitflowCatalog catalog(Where where) {
        if (where.warehouse != null) {
            if (!Files.isRegularFile(where.warehouse.resolve(HitflowCatalog.SQLITE_FILE))) {
                throw new ConfigException(
                        "warehouse folder "
                                + where.warehouse
                                + " has no catalog.db: run 'hitflow local' first, or give"
                                + " --catalog-properties");
            }
            return HitflowCatalog.local(where.warehouse);
        }
        return HitflowCatalog.fromPropertiesFile(where.properties);
    }

    /** Opens the catalog, runs {@code work} on it, closes it. */
    <T> T withCatalog(java.util.function.Function<org.apache.iceberg.catalog.Catalog, T> work) {
        return catalog().withCatalog(work);
    }

    TenantRegistry tenants() {
        return tenants != null ? TenantConfigLoader.load(tenants) : LocalJob.sampleTenantRegistry();
    }

    /** The local runner's dead letters, or null for a catalog given by properties (Kafka's). */
    Path deadLetterDir() {
        return where.warehouse == null ? null : where.warehouse.resolve("dead-letters");
    }

    /** The tenants' keys file, else (local warehouse) the one the local runner made. */
    KeyRing keys(TenantRegistry registry) {
        Path keys = registry.keysFile().orElse(null);
        if (keys == null && where.warehouse != null) {
            keys = LocalKeys.defaultLocation(where.warehouse);
        }
        if (keys == null) {
            throw new ConfigException(
                    "no keys file: set keys_file in the tenant config or HITFLOW_KEYS_FILE");
        }
        return KeyRing.load(keys);
    }
}
