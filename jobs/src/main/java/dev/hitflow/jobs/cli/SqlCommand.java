package dev.hitflow.jobs.cli;

import dev.hitflow.jobs.aggregate.AggregateViews;
import dev.hitflow.jobs.aggregate.HllUnionEstimateFunction;
import dev.hitflow.jobs.pipeline.LocalKeys;
import dev.hitflow.jobs.sink.HitflowCatalog;
import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.udfs.sql.HitflowFunctions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hitflow sql}: Flink SQL (batch) on the Hitflow tables, for local exploration. */
@Command(
        name = "sql",
        mixinStandardHelpOptions = true,
        description = {
            "Runs Flink SQL in batch mode on the Hitflow catalog (registered as 'hitflow', current"
                    + " database 'analytics'). Statements come from -e, from -f, or from standard"
                    + " input (one or more per line, ended by ';')."
        },
        footer = {
            "",
            "Examples:",
            "  hitflow sql --warehouse /tmp/w -e \"SELECT tenant_id, count(*) FROM hits GROUP BY tenant_id\"",
            "  echo 'SELECT count(*) FROM sessions;' | hitflow sql --warehouse /tmp/w"
        })
public final class SqlCommand implements Callable<Integer> {
    /** Rows printed per query at most. */
    public static final int MAX_ROWS = 1000;

    @CommandLine.ArgGroup(multiplicity = "1")
    CatalogOptions.Where catalog;

    @Option(
            names = {"-e", "--execute"},
            paramLabel = "SQL",
            description = "A statement to run (repeatable).")
    List<String> statements = new ArrayList<>();

    @Option(
            names = {"-f", "--file"},
            paramLabel = "FILE",
            description = "A file of statements separated by ';'.")
    Path file;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description = "Parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private String jobParameters;

    @Override
    public Integer call() throws Exception {
        HitflowCatalog hitflow = CatalogOptions.catalog(catalog);
        if (catalog.warehouse != null) {
            Path keys = LocalKeys.defaultLocation(catalog.warehouse);
            if (Files.isRegularFile(keys)) {
                jobParameters = "hitflow.keys.file:" + keys;
            }
        }
        List<String> sql = new ArrayList<>(statements);
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("SQL file " + file + " does not exist");
            }
            sql.addAll(split(Files.readString(file)));
        }
        boolean interactive = sql.isEmpty();
        PrintWriter out = spec.commandLine().getOut();
        TableEnvironment tables = open(hitflow, parallelism);
        if (jobParameters != null) {
            tables.getConfig().set("pipeline.global-job-parameters", jobParameters);
        }
        if (!interactive) {
            for (String statement : sql) {
                run(tables, statement, out);
            }
            return 0;
        }
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder pending = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            pending.append(line).append('\n');
            if (line.strip().endsWith(";")) {
                for (String statement : split(pending.toString())) {
                    try {
                        run(tables, statement, out);
                    } catch (RuntimeException e) {
                        out.println("error: " + firstLine(e));
                    }
                }
                pending.setLength(0);
            }
        }
        return 0;
    }

    /** A batch TableEnvironment with the Hitflow catalog registered and selected. */
    public static TableEnvironment open(HitflowCatalog catalog, int parallelism) {
        TableEnvironment tables = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        tables.getConfig().set("parallelism.default", Integer.toString(parallelism));
        String options =
                catalog.properties().entrySet().stream()
                        .map(e -> quote(e.getKey()) + " = " + quote(e.getValue()))
                        .collect(Collectors.joining(", "));
        tables.executeSql(
                "CREATE CATALOG " + catalog.name() + " WITH ('type' = 'iceberg', " + options + ")");
        tables.useCatalog(catalog.name());
        tables.useDatabase("analytics");
        HitflowFunctions.registerAll(tables);
        tables.createTemporarySystemFunction(
                AggregateViews.UNION_ESTIMATE, HllUnionEstimateFunction.class);
        for (String view : AggregateViews.createViewStatements()) {
            tables.executeSql(view);
        }
        return tables;
    }

    static void run(TableEnvironment tables, String statement, PrintWriter out) throws Exception {
        TableResult result = tables.executeSql(statement);
        List<String> columns = result.getResolvedSchema().getColumnNames();
        List<List<String>> rows = new ArrayList<>();
        boolean cut = false;
        try (CloseableIterator<Row> it = result.collect()) {
            while (it.hasNext()) {
                Row row = it.next();
                if (rows.size() == MAX_ROWS) {
                    cut = true;
                    break;
                }
                List<String> cells = new ArrayList<>();
                for (int i = 0; i < row.getArity(); i++) {
                    Object v = row.getField(i);
                    cells.add(
                            v instanceof byte[] b ? "<" + b.length + " bytes>" : String.valueOf(v));
                }
                rows.add(cells);
            }
        }
        print(columns, rows, out);
        out.println(
                rows.size()
                        + (cut
                                ? "+ rows (cut at " + MAX_ROWS + ")"
                                : rows.size() == 1 ? " row" : " rows"));
        out.flush();
    }

    static void print(List<String> columns, List<List<String>> rows, PrintWriter out) {
        int[] width = new int[columns.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = columns.get(i).length();
            for (List<String> row : rows) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        out.println(line(columns, width));
        StringBuilder rule = new StringBuilder();
        for (int w : width) {
            rule.append(rule.length() == 0 ? "" : "-+-").append("-".repeat(w));
        }
        out.println(rule);
        for (List<String> row : rows) {
            out.println(line(row, width));
        }
    }

    private static String line(List<String> cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append(" | ");
            }
            sb.append(String.format("%-" + width[i] + "s", cells.get(i)));
        }
        return sb.toString().stripTrailing();
    }

    /** Splits on ';' outside single-quoted strings; drops empty statements. */
    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : text.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
            }
            if (c == ';' && !quoted) {
                if (!current.toString().isBlank()) {
                    out.add(current.toString().strip());
                }
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
