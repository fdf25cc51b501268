package dev.hitflow.jobs.cli;

import dev.hitflow.jobs.generate.TrafficGenerator;
import dev.hitflow.jobs.pipeline.BenchRun;
import dev.hitflow.jobs.pipeline.LocalJob;
import dev.hitflow.udfs.geo.MaxMindTestDatabases;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hitflow bench}: the end-to-end benchmark, floor and baseline in the same run. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Runs, on one generated input and the same mini-cluster settings: (a) a pass-through job"
                    + " (file -> validate -> Iceberg hits), the floor; (b) the full Hitflow pipeline;"
                    + " (c) Flink SQL with the SESSION window TVF, what a user might write instead."
                    + " Prints records/s, the ratios, peak heap used and the largest checkpoint."
        })
public final class BenchCommand implements Callable<Integer> {
    /** A variant's job, run on a bench's input. */
    @FunctionalInterface
    private interface Variant {
        BenchRun.Figures run(BenchRun bench) throws Exception;
    }

    /** Every variant by its name, in the order of the help text. */
    private static final Map<String, Variant> VARIANTS = new LinkedHashMap<>();

    static {
        VARIANTS.put("decode-only", BenchRun::decodeOnly);
        VARIANTS.put("pass-through", BenchRun::passThrough);
        VARIANTS.put("hitflow", BenchRun::full);
        VARIANTS.put("flink-sql-session-tvf", BenchRun::flinkSqlSessionWindows);
        VARIANTS.put("gate-only", b -> b.sessionizer("hashmap", false));
        VARIANTS.put("sessionize-hashmap", b -> b.sessionizer("hashmap", true));
        VARIANTS.put("sessionize-rocksdb", b -> b.sessionizer("rocksdb", true));
    }

    @Option(
            names = "--generate",
            paramLabel = "N",
            defaultValue = "2000000",
            description = "Hits to generate (default: ${DEFAULT-VALUE}).")
    long generate;

    @Option(names = "--seed", defaultValue = "42", description = "Generator seed.")
    long seed;

    @Option(
            names = "--tenants",
            paramLabel = "FILE",
            description = "Tenant configuration (default: the built-in sample).")
    Path tenants;

    @Option(
            names = "--warehouse",
            paramLabel = "DIR",
            defaultValue = "hitflow-bench",
            description =
                    "Working folder; each variant gets a fresh warehouse in it (default: ${DEFAULT-VALUE}).")
    Path warehouse;

    @Option(
            names = "--geoip",
            paramLabel = "FILE",
            description =
                    "MaxMind City database (default: ../shared/data/geolite2-2019/GeoLite2-City.mmdb"
                            + " when present, else MaxMind's City test database).")
    Path geoip;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description = "Parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "PT10S",
            paramLabel = "DURATION",
            description = "Checkpoint interval (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(
            names = "--variants",
            split = ",",
            defaultValue = "pass-through,hitflow,flink-sql-session-tvf",
            description =
                    "Which variants to run (default: ${DEFAULT-VALUE}); also decode-only,"
                            + " gate-only, sessionize-hashmap, sessionize-rocksdb (the pipeline's"
                            + " first stages, into a discarding sink: with pass-through and"
                            + " hitflow, the budget per stage).")
    List<String> variants;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Before the timed runs, run every variant once, untimed, on N other generated hits"
                            + " (seed + 1), so the timed runs measure a JIT-compiled JVM, as a"
                            + " long-running job is (default: ${DEFAULT-VALUE}, a cold JVM).")
    long warmup;

    @Option(
            names = "--rounds",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "Run the timed variants N times, taking turns (a, b, c, a, b, c, ...), and print"
                            + " the median of each variant's figures and of the ratios within a"
                            + " round: on a machine whose speed drifts, variants run side by side"
                            + " in time compare better than one run each (default: ${DEFAULT-VALUE}).")
    int rounds;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (rounds < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--rounds must be at least 1, not " + rounds);
        }
        for (String variant : variants) {
            if (!VARIANTS.containsKey(variant)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "unknown variant '" + variant + "' (known: " + VARIANTS.keySet() + ")");
            }
        }
        if (geoip == null) {
            // realistic lookups: the full-size GeoLite2 City beside the checkout, when present
            geoip = MaxMindTestDatabases.fullSizeCity().orElse(null);
        }
        LocalJob job =
                LocalJob.prepare(
                        new LocalJob.Options(
                                null,
                                generate,
                                seed,
                                tenants,
                                warehouse,
                                parallelism,
                                checkpointInterval,
                                Duration.ofSeconds(30),
                                geoip));
        // A realistic spread of addresses and agents: caches see what they would in production.
        Path input =
                LocalJob.generatedInput(
                        job.warehouse().resolve("_input"),
                        generate,
                        seed,
                        job.tenants(),
                        TrafficGenerator.Spread.REALISTIC);
        BenchRun bench =
                new BenchRun(
                        input,
                        generate,
                        job.tenants(),
                        job.keysFile(),
                        job.warehouse(),
                        parallelism,
                        checkpointInterval,
                        job.geoDatabase());
        out.println("geoip: " + job.geoDescription());
        out.printf(
                Locale.ROOT,
                "bench: %,d generated hits (seed %d), parallelism %d, max heap %d MiB (%s), %d"
                        + " cores%n",
                generate,
                seed,
                parallelism,
                Runtime.getRuntime().maxMemory() >> 20,
                BenchRun.collectors(),
                Runtime.getRuntime().availableProcessors());
        out.flush();
        if (warmup > 0) {
            BenchRun warm =
                    new BenchRun(
                            LocalJob.generatedInput(
                                    job.warehouse().resolve("_warmup"),
                                    warmup,
                                    seed + 1,
                                    job.tenants(),
                                    TrafficGenerator.Spread.REALISTIC),
                            warmup,
                            job.tenants(),
                            job.keysFile(),
                            // apart from the timed runs' folders: a finished job's mini cluster
                            // may still be discarding its checkpoints there
                            job.warehouse().resolve("_warmup"),
                            parallelism,
                            checkpointInterval,
                            job.geoDatabase());
            for (String variant : variants) {
                BenchRun.Figures f = VARIANTS.get(variant).run(warm);
                out.printf(
                        Locale.ROOT,
                        "  warm-up %-16s %8.1f s on %,d other hits (not counted)%n",
                        f.variant(),
                        f.elapsed().toMillis() / 1000.0,
                        warmup);
                out.flush();
            }
        }
        List<List<BenchRun.Figures>> byRound = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<BenchRun.Figures> figures = new ArrayList<>();
            for (String variant : variants) {
                BenchRun.Figures f = VARIANTS.get(variant).run(bench);
                figures.add(f);
                printRun(out, rounds > 1 ? "round " + round + " " : "", f);
            }
            printRatios(out, rounds > 1 ? "round " + round + " " : "", figures);
            byRound.add(figures);
        }
        if (rounds > 1) {
            out.printf(Locale.ROOT, "  medians of %d rounds:%n", rounds);
            for (int v = 0; v < variants.size(); v++) {
                int at = v;
                List<BenchRun.Figures> runs = byRound.stream().map(r -> r.get(at)).toList();
                out.printf(
                        Locale.ROOT,
                        "  %-24s %,12.0f records/s  cpu %,.1f us/hit (without the JIT: %,.1f)%n",
                        variants.get(v),
                        median(runs, BenchRun.Figures::recordsPerSecond),
                        median(runs, BenchRun.Figures::cpuMicrosPerRecord),
                        median(runs, BenchRun.Figures::cpuMicrosPerRecordWithoutJit));
            }
            printMedianRatio(out, byRound, "hitflow", "pass-through");
            printMedianRatio(out, byRound, "hitflow", "flink-sql-session-tvf");
        }
        out.flush();
        return 0;
    }

    private static void printRun(PrintWriter out, String round, BenchRun.Figures f) {
        out.printf(
                Locale.ROOT,
                "  %s%-24s %8.1f s %,12.0f records/s  peak heap %,6d MiB  max checkpoint %,8d KiB"
                        + "  cpu %,6.1f s (%,.1f us/hit)  of it JIT %,5.1f s (without: %,.1f"
                        + " us/hit)%n",
                round,
                f.variant(),
                f.elapsed().toMillis() / 1000.0,
                f.recordsPerSecond(),
                f.peakHeapBytes() >> 20,
                f.maxCheckpointBytes() >> 10,
                f.cpu().toMillis() / 1000.0,
                f.cpuMicrosPerRecord(),
                f.jit().toMillis() / 1000.0,
                f.cpuMicrosPerRecordWithoutJit());
        out.flush();
    }

    private static void printRatios(PrintWriter out, String round, List<BenchRun.Figures> figures) {
        BenchRun.Figures hitflow = find(figures, "hitflow");
        BenchRun.Figures floor = find(figures, "pass-through");
        BenchRun.Figures sql = find(figures, "flink-sql-session-tvf");
        if (hitflow != null && floor != null) {
            out.printf(
                    Locale.ROOT,
                    "  %shitflow / pass-through          = %.2f (CPU per hit: %.2f, without the"
                            + " JIT: %.2f)%n",
                    round,
                    hitflow.recordsPerSecond() / floor.recordsPerSecond(),
                    hitflow.cpuMicrosPerRecord() / floor.cpuMicrosPerRecord(),
                    hitflow.cpuMicrosPerRecordWithoutJit() / floor.cpuMicrosPerRecordWithoutJit());
        }
        if (hitflow != null && sql != null) {
            out.printf(
                    Locale.ROOT,
                    "  %shitflow / flink-sql-session-tvf = %.2f (CPU per hit: %.2f)%n",
                    round,
                    hitflow.recordsPerSecond() / sql.recordsPerSecond(),
                    hitflow.cpuMicrosPerRecord() / sql.cpuMicrosPerRecord());
        }
        out.flush();
    }

    /** The median over the rounds of {@code a}'s hits/s over {@code b}'s, when both ran. */
    private static void printMedianRatio(
            PrintWriter out, List<List<BenchRun.Figures>> byRound, String a, String b) {
        List<Double> ratios = new ArrayList<>();
        for (List<BenchRun.Figures> round : byRound) {
            BenchRun.Figures fa = find(round, a);
            BenchRun.Figures fb = find(round, b);
            if (fa == null || fb == null) {
                return;
            }
            ratios.add(fa.recordsPerSecond() / fb.recordsPerSecond());
        }
        Collections.sort(ratios);
        out.printf(
                Locale.ROOT,
                "  %s / %s = %.2f (median; rounds from %.2f to %.2f)%n",
                a,
                b,
                median(ratios, r -> r),
                ratios.get(0),
                ratios.get(ratios.size() - 1));
    }

    /** The median (the mean of the middle two for an even count). */
    static <T> double median(List<T> values, ToDoubleFunction<T> of) {
        double[] sorted = values.stream().mapToDouble(of).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static BenchRun.Figures find(List<BenchRun.Figures> figures, String variant) {
        return figures.stream().filter(f -> f.variant().equals(variant)).findFirst().orElse(null);
    }
}
