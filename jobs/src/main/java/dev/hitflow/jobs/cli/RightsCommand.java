package dev.hitflow.jobs.cli;

import dev.hitflow.jobs.maintain.MaintenanceRun;
import dev.hitflow.jobs.maintain.PendingRequest;
import dev.hitflow.schemas.avro.IdKind;
import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.udfs.identity.RightsRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hitflow rights}: answer data-subject requests now. Identifiers come from standard input or
 * a file, never from the command line (shell history, process list, CronJob specs).
 */
@Command(
        name = "rights",
        mixinStandardHelpOptions = true,
        description = {
            "Answers data-subject requests of a tenant: access (exports every detail row of the"
                    + " visitor as one JSON document), erasure (deletes them and the files that held"
                    + " them, and the local dead letters carrying the identifier), or opt-out. Erasure"
                    + " and opt-out are added to the durable opt-out registry analytics.suppressions,"
                    + " which every job loads and follows. The identifiers are read from standard"
                    + " input, one per line (or from --identifiers-file), hashed, and never stored or"
                    + " printed."
        },
        footer = {
            "",
            "Example: printf '%%s\\n' \"$COOKIE\" | hitflow rights erase --warehouse /tmp/w"
                    + " --tenant acme --kind COOKIE"
        })
public final class RightsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ACTION", description = "access, erase or opt-out")
    String action;

    @Mixin CatalogOptionsMixin where;

    @Option(names = "--tenant", required = true, description = "The tenant the request is for.")
    String tenant;

    @Option(
            names = "--kind",
            required = true,
            paramLabel = "KIND",
            description =
                    "What the identifiers are: COOKIE (first-party cookie ID), MOBILE"
                            + " (mobile/app installation ID) or USER (the tenant's login).")
    String kind;

    @Option(
            names = "--identifiers-file",
            paramLabel = "FILE",
            description =
                    "Read the identifiers from this file, one per line (default: standard input).")
    Path identifiersFile;

    // The identifier used to be an option value; it goes to standard input now. These stay,
    // hidden, only to say so.
    @Option(names = "--cookie", hidden = true, arity = "0..1")
    String oldCookie;

    @Option(names = "--mobile", hidden = true, arity = "0..1")
    String oldMobile;

    @Option(names = "--user", hidden = true, arity = "0..1")
    String oldUser;

    @Option(
            names = "--export-dir",
            paramLabel = "DIR",
            defaultValue = "exports",
            description = "Where an access export goes (default: ${DEFAULT-VALUE}).")
    Path exportDir;

    @Option(
            names = "--request-id",
            description =
                    "Request ID for the audit (default: random); with several identifiers,"
                            + " ID-1, ID-2, ...")
    String requestId;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        String old =
                oldCookie != null
                        ? "--cookie"
                        : oldMobile != null ? "--mobile" : oldUser != null ? "--user" : null;
        if (old != null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    old
                            + " is gone: identifiers are never given on the command line (shell"
                            + " history, process list). Give --kind "
                            + old.substring(2).toUpperCase(java.util.Locale.ROOT)
                            + " and the identifier on standard input, one per line, or in"
                            + " --identifiers-file FILE");
        }
        RightsRequest.Type type =
                switch (action) {
                    case "access" -> RightsRequest.Type.ACCESS;
                    case "erase" -> RightsRequest.Type.ERASURE;
                    case "opt-out" -> RightsRequest.Type.OPT_OUT;
                    default ->
                            throw new CommandLine.ParameterException(
                                    spec.commandLine(), "ACTION must be access, erase or opt-out");
                };
        IdKind idKind;
        try {
            idKind = IdKind.valueOf(kind);
        } catch (IllegalArgumentException e) {
            idKind = null;
        }
        if (idKind == null || idKind == IdKind.COOKIELESS) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--kind must be COOKIE, MOBILE or USER");
        }
        TenantRegistry tenants = where.options.tenants();
        if (tenants.tenant(tenant).isEmpty()) {
            throw new ConfigException("unknown tenant '" + tenant + "'");
        }
        List<String> identifiers = identifiers();
        KeyRing keys = where.options.keys(tenants);
        String base = requestId == null ? UUID.randomUUID().toString() : requestId;
        List<PendingRequest> requests = new ArrayList<>();
        for (int i = 0; i < identifiers.size(); i++) {
            String id = identifiers.size() == 1 ? base : base + "-" + (i + 1);
            requests.add(
                    PendingRequest.of(
                            new RightsRequest(id, tenant, type, idKind, identifiers.get(i)),
                            keys,
                            "hitflow rights"));
        }
        MaintenanceRun.Report report =
                where.options.withCatalog(
                        catalog ->
                                // the requests only; clean-up of what they touched
                                new MaintenanceRun(catalog, tenants, keys)
                                        .run(
                                                new MaintenanceRun.Options(
                                                        Instant.now(),
                                                        false,
                                                        Duration.ofHours(1),
                                                        requests,
                                                        exportDir,
                                                        where.options.deadLetterDir()),
                                                spec.commandLine().getOut()));
        for (PendingRequest request : requests) {
            if (report.exports().containsKey(request.requestId())) {
                spec.commandLine()
                        .getOut()
                        .println("export: " + report.exports().get(request.requestId()));
            }
        }
        return 0;
    }

    /** The identifiers, one per line, blank lines skipped; at least one. */
    private List<String> identifiers() {
        List<String> identifiers = new ArrayList<>();
        String origin =
                identifiersFile == null ? "standard input" : "identifiers file " + identifiersFile;
        if (identifiersFile != null && !Files.isRegularFile(identifiersFile)) {
            throw new ConfigException(origin + " does not exist");
        }
        try (InputStream in =
                        identifiersFile == null
                                ? System.in
                                : Files.newInputStream(identifiersFile);
                BufferedReader reader =
                        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                String id = line.strip();
                if (!id.isEmpty()) {
                    identifiers.add(id);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (identifiers.isEmpty()) {
            throw new ConfigException(
                    origin + " holds no identifier: give one per line (--kind " + kind + ")");
        }
        return identifiers;
    }
}
