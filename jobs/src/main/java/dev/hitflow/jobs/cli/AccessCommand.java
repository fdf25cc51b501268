package dev.hitflow.jobs.cli;

import dev.hitflow.jobs.access.TrinoAccessRules;
import dev.hitflow.schemas.config.TenantConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hitflow access}: query engines' access rules derived from the tenant config. */
@Command(
        name = "access",
        mixinStandardHelpOptions = true,
        description = "Access rules for BI engines from the tenant config's readers and bi_admins.",
        subcommands = {AccessCommand.Trino.class})
public final class AccessCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code hitflow access trino}: Trino's file-based access-control rules. */
    @Command(
            name = "trino",
            mixinStandardHelpOptions = true,
            description = {
                "Prints Trino's file-based access-control rules (rules.json): each tenant's"
                        + " readers may SELECT every analytics table, filtered to tenant_id ="
                        + " '<tenant>'; rights_requests, rights_queue and suppressions only"
                        + " bi_admins, who read every tenant unfiltered; anybody else nothing.",
                "Point Trino's access-control.properties at the file (access-control.name=file,"
                        + " security.config-file, security.refresh-period) and regenerate it"
                        + " whenever the tenant config changes."
            },
            footer = {"", "Example: hitflow access trino --tenants tenants.yaml > rules.json"})
    static final class Trino implements Callable<Integer> {
        @Option(
                names = "--tenants",
                paramLabel = "FILE",
                required = true,
                description = "Tenant configuration with readers and bi_admins.")
        Path tenants;

        @Option(
                names = "--catalog",
                paramLabel = "NAME",
                defaultValue = "hitflow",
                description = "Trino's name of the Iceberg catalog (default: ${DEFAULT-VALUE}).")
        String catalog;

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            String rules = TrinoAccessRules.json(TenantConfigLoader.load(tenants), catalog);
            spec.commandLine().getOut().print(rules);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
