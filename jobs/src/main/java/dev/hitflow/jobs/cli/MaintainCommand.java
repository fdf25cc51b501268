package dev.hitflow.jobs.cli;

import dev.hitflow.jobs.maintain.MaintenanceRun;
import dev.hitflow.jobs.maintain.PendingRequest;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.udfs.identity.RightsRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hitflow maintain}: the scheduled retention, rights and clean-up run. */
@Command(
        name = "maintain",
        mixinStandardHelpOptions = true,
        description = {
            "Answers pending data-subject requests (--requests, and those the stream job queued in"
                    + " analytics.rights_queue), deletes partitions past each"
                    + " tenant's retention (cutoff in the tenant's time zone), merges the"
                    + " aggregate rows of settled days to one row per key, compacts, then expires"
                    + " snapshots and removes orphan files so that expired and erased bytes are gone"
                    + " from storage; with --warehouse, also deletes local dead-letter files older"
                    + " than dead_letter_retention (default P7D). Opt-outs and erasures are added"
                    + " to the durable opt-out registry analytics.suppressions. Safe to run twice."
        },
        footer = {
            "",
            "Requests file: JSON Lines of {\"request_id\", \"tenant_id\", \"type\":"
                    + " ACCESS|ERASURE|OPT_OUT, \"kind\": COOKIE|MOBILE|USER, \"identifier\"}.",
            "Example: hitflow maintain --warehouse /tmp/w --now 2028-05-01T00:00:00Z --dry-run"
        })
public final class MaintainCommand implements Callable<Integer> {
    @Mixin CatalogOptionsMixin where;

    @Option(
            names = "--now",
            paramLabel = "INSTANT",
            description = "The run's clock, ISO-8601 (default: now).")
    Instant now;

    @Option(names = "--dry-run", description = "Print what would be deleted; change nothing.")
    boolean dryRun;

    @Option(
            names = "--requests",
            paramLabel = "FILE",
            description = "Data-subject requests to answer (JSON Lines).")
    Path requests;

    @Option(
            names = "--export-dir",
            paramLabel = "DIR",
            defaultValue = "exports",
            description = "Where access requests' JSON documents go (default: ${DEFAULT-VALUE}).")
    Path exportDir;

    @Option(
            names = "--orphan-min-age",
            paramLabel = "DURATION",
            defaultValue = "PT1H",
            description =
                    "Only files older than this may be removed as orphans: younger ones may belong"
                            + " to a commit in flight (default: ${DEFAULT-VALUE}).")
    Duration orphanMinAge;

    @Option(
            names = "--out-of-orderness",
            paramLabel = "DURATION",
            defaultValue = "PT30S",
            description =
                    "The stream job's --out-of-orderness: a day's aggregate rows are merged to one"
                            + " row per key once its end in the tenant's zone, the settling hour"
                            + " and this have passed (default: ${DEFAULT-VALUE}).")
    Duration outOfOrderness;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        where.options.catalog(); // fails before anything else when the catalog is missing
        TenantRegistry tenants = where.options.tenants();
        KeyRing keys = where.options.keys(tenants);
        // every request is checked before anything changes
        List<PendingRequest> pending =
                requests == null
                        ? List.of()
                        : RightsRequest.readAll(requests, tenants).stream()
                                .map(r -> PendingRequest.of(r, keys))
                                .toList();
        where.options.withCatalog(
                catalog ->
                        new MaintenanceRun(catalog, tenants, keys)
                                .run(
                                        new MaintenanceRun.Options(
                                                now == null ? Instant.now() : now,
                                                dryRun,
                                                orphanMinAge,
                                                pending,
                                                exportDir,
                                                where.options.deadLetterDir(),
                                                outOfOrderness),
                                        spec.commandLine().getOut()));
        return 0;
    }
}
