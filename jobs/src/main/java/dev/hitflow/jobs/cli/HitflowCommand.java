package dev.hitflow.jobs.cli;

import dev.hitflow.schemas.codec.AvroCoders;
import dev.hitflow.schemas.config.ConfigException;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The one entry point: {@code hitflow <command>}, each command with its own --help. */
@Command(
        name = "hitflow",
        mixinStandardHelpOptions = true,
        versionProvider = HitflowCommand.Version.class,
        description = "Privacy-safe web and app analytics: raw hits in, Iceberg tables out.",
        subcommands = {
            LocalCommand.class,
            MaintainCommand.class,
            RightsCommand.class,
            SqlCommand.class,
            StreamCommand.class,
            ReplayCommand.class,
            BenchCommand.class,
            AccessCommand.class,
            TenantCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "Exit codes: 0 success, 1 the job failed, 2 bad usage or bad configuration.",
            "Run 'hitflow COMMAND --help' for a command's options."
        })
public final class HitflowCommand implements Runnable {
    /** Exit code of a bad command line or configuration. */
    public static final int EXIT_USAGE = 2;

    @Option(
            names = "--verbose",
            scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The entry point of the launcher, the CronJob's {@code java} command and of Flink (the
     * FlinkDeployment's {@code entryClass}). Only a process of its own exits with the command's
     * code: when Flink calls this method, it runs inside Flink's JVM (the JobManager in application
     * mode, or the REST handler of a session cluster), and exiting would take that JVM down with
     * the job it just submitted; there a failure is thrown to Flink instead.
     */
    public static void main(String[] args) throws Exception {
        // Before any Avro record class is used: the local mini cluster runs in this JVM.
        AvroCoders.enable();
        if (FlinkClientContext.isActive()) {
            runInsideFlink(args);
            return;
        }
        System.exit(commandLine().execute(args));
    }

    /**
     * Runs a command for Flink's program runner: errors reach Flink as they are (its submission
     * reports them, and its control-flow exceptions pass through untouched), a bad command line
     * fails the submission with the usage message.
     */
    static void runInsideFlink(String[] args) throws Exception {
        CommandLine cli = commandLine();
        Exception[] failure = new Exception[1];
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    failure[0] = e;
                    return 1;
                });
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        if (failure[0] != null) {
            throw failure[0];
        }
        if (code != 0) {
            throw new IllegalArgumentException(
                    "hitflow: the command exited with code " + code + ": " + err.toString().trim());
        }
    }

    /** The command line with Hitflow's error handling: config problems exit 2 with one line. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new HitflowCommand());
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    PrintWriter err = commandLine.getErr();
                    boolean verbose = false;
                    for (CommandLine.ParseResult r = parseResult; r != null; r = r.subcommand()) {
                        verbose |= r.hasMatchedOption("--verbose");
                    }
                    Throwable cause = rootConfigProblem(e);
                    if (cause instanceof ConfigException config) {
                        err.println("hitflow: " + config.getMessage());
                        if (verbose) {
                            config.printStackTrace(err);
                        }
                        err.flush();
                        return EXIT_USAGE;
                    }
                    err.println("hitflow: failed: " + describe(e));
                    if (verbose) {
                        e.printStackTrace(err);
                    } else {
                        err.println("(run with --verbose for the stack trace)");
                    }
                    err.flush();
                    return 1;
                });
        return cli;
    }

    private static Throwable rootConfigProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException) {
                return t;
            }
        }
        return e;
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** The version from the jar manifest, when run from a jar. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = HitflowCommand.class.getPackage().getImplementationVersion();
            return new String[] {"hitflow " + (version == null ? "(development build)" : version)};
        }
    }
}
