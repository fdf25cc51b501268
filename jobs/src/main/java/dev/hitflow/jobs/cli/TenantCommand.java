package dev.hitflow.jobs.cli;

import dev.hitflow.jobs.maintain.TenantExport;
import dev.hitflow.jobs.maintain.TenantPurge;
import dev.hitflow.schemas.config.TenantRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hitflow tenant}: hand a tenant all its rows; remove a tenant that left. */
@Command(
        name = "tenant",
        mixinStandardHelpOptions = true,
        description = "A tenant's whole data: export it (portability), purge it (contract end).",
        subcommands = {TenantCommand.Export.class, TenantCommand.Purge.class})
public final class TenantCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code hitflow tenant export}. */
    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description =
                    "Writes every row of the tenant in every analytics table to DIR: one Parquet"
                            + " file per table (<table>.parquet, the table's schema) and"
                            + " manifest.json with the rows of each.",
            footer = {
                "",
                "Example: hitflow tenant export --warehouse /tmp/w --tenant acme --to out"
            })
    static final class Export implements Callable<Integer> {
        @Mixin CatalogOptionsMixin where;

        @Option(names = "--tenant", required = true, paramLabel = "T", description = "Tenant ID.")
        String tenant;

        @Option(
                names = "--to",
                required = true,
                paramLabel = "DIR",
                description = "A new or empty folder.")
        Path to;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Map<String, Long> counts =
                    where.options.withCatalog(
                            catalog -> TenantExport.export(catalog, tenant, to, Instant.now()));
            PrintWriter out = spec.commandLine().getOut();
            counts.forEach((table, rows) -> out.printf("%-20s %,d rows%n", table, rows));
            out.println(
                    "exported tenant '"
                            + tenant
                            + "' to "
                            + to
                            + " ("
                            + TenantExport.MANIFEST
                            + ")");
            out.flush();
            return 0;
        }
    }

    /** {@code hitflow tenant purge}. */
    @Command(
            name = "purge",
            mixinStandardHelpOptions = true,
            description = {
                "Removes a tenant that is no longer in the tenant config: every partition of it"
                        + " from every analytics table (rights tables and suppressions included),"
                        + " then expires snapshots and deletes its files, so none is left under a"
                        + " tenant_id=<T> folder; drops its local dead letters; records the purge"
                        + " in rights_requests (tenant _platform, no raw values).",
                "Refuses (exit 2) while the tenant is still in --tenants: remove it first."
            },
            footer = {
                "",
                "Example: hitflow tenant purge --warehouse /tmp/w --tenants tenants.yaml"
                        + " --tenant initech --dry-run"
            })
    static final class Purge implements Callable<Integer> {
        @Mixin CatalogOptionsMixin where;

        @Option(names = "--tenant", required = true, paramLabel = "T", description = "Tenant ID.")
        String tenant;

        @Option(names = "--dry-run", description = "List what would be removed; change nothing.")
        boolean dryRun;

        @Option(
                names = "--orphan-min-age",
                paramLabel = "DURATION",
                defaultValue = "PT1H",
                description =
                        "Other tenants' unreferenced files are removed only when older than this"
                                + " (default: ${DEFAULT-VALUE}); the purged tenant's go at once.")
        Duration orphanMinAge;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            TenantRegistry live = where.options.tenants();
            TenantPurge.requireRemoved(
                    live,
                    tenant,
                    where.options.tenants == null
                            ? "(built-in sample; give --tenants)"
                            : where.options.tenants.toString());
            Path deadLetters =
                    where.options.where.warehouse == null
                            ? null
                            : where.options.where.warehouse.resolve("dead-letters");
            TenantPurge.Result result =
                    where.options.withCatalog(
                            catalog ->
                                    TenantPurge.purge(
                                            catalog,
                                            tenant,
                                            deadLetters,
                                            dryRun,
                                            orphanMinAge,
                                            Instant.now()));
            PrintWriter out = spec.commandLine().getOut();
            String verb = dryRun ? "would remove" : "removed";
            for (TenantPurge.TableResult t : result.tables()) {
                out.printf(
                        "%-32s %s %d partitions, %d files, %,d bytes, %,d rows%s%n",
                        t.table(),
                        verb,
                        t.partitions().size(),
                        t.files(),
                        t.bytes(),
                        t.rows(),
                        t.filesOnDisk() > t.files()
                                ? " (+" + (t.filesOnDisk() - t.files()) + " unreferenced files)"
                                : "");
                if (dryRun) {
                    t.partitions().forEach(p -> out.println("    " + p));
                }
            }
            out.printf(
                    "dead letters                     %s %d lines in %d files%n",
                    verb, result.deadLetters().lines(), result.deadLetters().files());
            out.println(
                    dryRun
                            ? "dry run: nothing changed"
                            : "purged tenant '" + tenant + "' (audit row in rights_requests)");
            out.flush();
            return 0;
        }
    }
}
