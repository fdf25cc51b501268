package dev.hitflow.jobs.cli;

import dev.hitflow.jobs.maintain.MaintenanceRun;
import dev.hitflow.jobs.maintain.PendingRequest;
import dev.hitflow.schemas.avro.IdKind;
import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.udfs.identity.RightsRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hitflow rights}: answer one data-subject request now. */
@Command(
        name = "rights",
        mixinStandardHelpOptions = true,
        description = {
            "Answers one data-subject request for a tenant and a raw identifier: access (exports"
                    + " every detail row of that visitor as one JSON document), erasure (deletes them"
                    + " and the files that held them), or opt-out (recorded). The raw identifier is"
                    + " hashed under every live key version and never stored or printed."
        },
        footer = {
            "",
            "Example: hitflow rights erase --warehouse /tmp/w --tenant acme --cookie ck-42-7"
        })
public final class RightsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ACTION", description = "access, erase or opt-out")
    String action;

    @Mixin CatalogOptionsMixin where;

    @Option(names = "--tenant", required = true, description = "The tenant the request is for.")
    String tenant;

    @CommandLine.ArgGroup(multiplicity = "1")
    Identifier identifier;

    static final class Identifier {
        @Option(names = "--cookie", paramLabel = "ID", description = "A first-party cookie ID.")
        String cookie;

        @Option(
                names = "--mobile",
                paramLabel = "ID",
                description = "A mobile/app installation ID.")
        String mobile;

        @Option(
                names = "--user",
                paramLabel = "ID",
                description = "The tenant's login or customer ID.")
        String user;
    }

    @Option(
            names = "--export-dir",
            paramLabel = "DIR",
            defaultValue = "exports",
            description = "Where an access export goes (default: ${DEFAULT-VALUE}).")
    Path exportDir;

    @Option(names = "--request-id", description = "Request ID for the audit (default: random).")
    String requestId;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        RightsRequest.Type type =
                switch (action) {
                    case "access" -> RightsRequest.Type.ACCESS;
                    case "erase" -> RightsRequest.Type.ERASURE;
                    case "opt-out" -> RightsRequest.Type.OPT_OUT;
                    default ->
                            throw new CommandLine.ParameterException(
                                    spec.commandLine(), "ACTION must be access, erase or opt-out");
                };
        IdKind kind =
                identifier.cookie != null
                        ? IdKind.COOKIE
                        : identifier.mobile != null ? IdKind.MOBILE : IdKind.USER;
        String raw =
                identifier.cookie != null
                        ? identifier.cookie
                        : identifier.mobile != null ? identifier.mobile : identifier.user;
        if (raw.isBlank()) {
            throw new ConfigException("the identifier is empty");
        }
        TenantRegistry tenants = where.options.tenants();
        if (tenants.tenant(tenant).isEmpty()) {
            throw new ConfigException("unknown tenant '" + tenant + "'");
        }
        KeyRing keys = where.options.keys(tenants);
        RightsRequest request =
                new RightsRequest(
                        requestId == null ? UUID.randomUUID().toString() : requestId,
                        tenant,
                        type,
                        kind,
                        raw);
        MaintenanceRun.Report report =
                where.options.withCatalog(
                        catalog ->
                                // the request only; clean-up of what it touched
                                new MaintenanceRun(catalog, tenants, keys)
                                        .run(
                                                new MaintenanceRun.Options(
                                                        Instant.now(),
                                                        false,
                                                        Duration.ofHours(1),
                                                        List.of(PendingRequest.of(request, keys)),
                                                        exportDir),
                                                spec.commandLine().getOut()));
        if (report.exports().containsKey(request.requestId())) {
            spec.commandLine()
                    .getOut()
                    .println("export: " + report.exports().get(request.requestId()));
        }
        return 0;
    }
}
