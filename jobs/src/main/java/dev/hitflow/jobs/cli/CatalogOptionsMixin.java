package dev.hitflow.jobs.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** Picocli mixin carrying {@link CatalogOptions}. */
public final class CatalogOptionsMixin {
    final CatalogOptions options = new CatalogOptions();

    @ArgGroup(multiplicity = "1")
    void where(CatalogOptions.Where where) {
        options.where = where;
    }

    @Option(
            names = "--tenants",
            paramLabel = "FILE",
            description = "Tenant configuration (default: the built-in sample, as `local`).")
    void tenants(java.nio.file.Path tenants) {
        options.tenants = tenants;
    }
}
