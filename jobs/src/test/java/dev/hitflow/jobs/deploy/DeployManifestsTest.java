package dev.hitflow.jobs.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hitflow.jobs.access.TrinoAccessRules;
import dev.hitflow.jobs.cli.HitflowCommand;
import dev.hitflow.schemas.config.TenantConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The deploy/ manifests and the runbook say what the build and the command line really do. */
class DeployManifestsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DEPLOY = ROOT.resolve("deploy");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(file.toFile())) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull()) {
                    docs.add(n);
                }
            }
        }
        return docs;
    }

    static List<String> args(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(a -> out.add(a.asText()));
        return out;
    }

    @Test
    void theFlinkDeploymentRunsTheStreamCommandWithArgumentsItAccepts() throws IOException {
        JsonNode d = documents(DEPLOY.resolve("k8s/base/flinkdeployment.yaml")).get(0);
        assertThat(d.get("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
        assertThat(d.get("kind").asText()).isEqualTo("FlinkDeployment");
        JsonNode spec = d.get("spec");
        assertThat(spec.get("flinkVersion").asText()).isEqualTo("v2_1");
        assertThat(spec.get("image").asText()).isEqualTo("hitflow");
        JsonNode job = spec.get("job");
        assertThat(job.get("upgradeMode").asText()).isEqualTo("savepoint");
        assertThat(job.get("jarURI").asText()).isEqualTo("local:///opt/flink/usrlib/hitflow.jar");
        assertThat(job.get("entryClass").asText()).isEqualTo(HitflowCommand.class.getName());
        List<String> args = args(job.get("args"));
        assertThat(args.get(0)).isEqualTo("stream");
        HitflowCommand.commandLine().parseArgs(args.toArray(new String[0]));
        JsonNode conf = spec.get("flinkConfiguration");
        assertThat(conf.get("state.backend.type").asText()).isEqualTo("rocksdb");
        assertThat(conf.get("high-availability.type").asText()).isEqualTo("kubernetes");
        assertThat(conf.get("execution.checkpointing.dir").asText()).startsWith("s3://");
        assertThat(conf.get("metrics.reporter.prom.factory.class").asText())
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    }

    @Test
    void theCronJobRunsMaintainWithArgumentsItAccepts() throws IOException {
        JsonNode c = documents(DEPLOY.resolve("k8s/base/maintain-cronjob.yaml")).get(0);
        assertThat(c.get("kind").asText()).isEqualTo("CronJob");
        assertThat(c.at("/spec/schedule").asText()).isEqualTo("30 3 * * *");
        JsonNode container = c.at("/spec/jobTemplate/spec/template/spec/containers/0");
        List<String> args = args(container.get("args"));
        int main = args.indexOf(HitflowCommand.class.getName());
        assertThat(main).isPositive();
        List<String> cli = args.subList(main + 1, args.size());
        assertThat(cli.get(0)).isEqualTo("maintain");
        HitflowCommand.commandLine().parseArgs(cli.toArray(new String[0]));
        assertThat(
                        c.at("/spec/jobTemplate/spec/template/spec/securityContext/runAsNonRoot")
                                .asBoolean())
                .isTrue();
    }

    /** The launcher's Java 17 module openings (Flink's own list and the job's few more). */
    static List<String> launcherOpenings() throws IOException {
        List<String> flags = new ArrayList<>();
        Matcher m =
                Pattern.compile("(?m)^\\s+(--add-(?:opens|exports)=\\S+)$")
                        .matcher(Files.readString(ROOT.resolve("hitflow")));
        while (m.find()) {
            flags.add(m.group(1));
        }
        return flags;
    }

    /** Flink's own Java 17 list, the env.java.opts.all of the config.yaml Flink 2.1 ships. */
    static final List<String> FLINK_JAVA_17_OPENINGS =
            List.of(
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    /**
     * env.java.opts.all replaces the key of Flink's config.yaml that holds its Java 17 openings,
     * and the CronJob runs plain java: each must carry the whole list, or Flink fails on Java 17
     * (InaccessibleObjectException) where the tests, run with the launcher's list, pass.
     */
    @Test
    void everyJvmTheManifestsStartHasFlinksJava17Openings() throws IOException {
        List<String> launcher = launcherOpenings();
        assertThat(launcher).containsAll(FLINK_JAVA_17_OPENINGS);
        String deployment =
                documents(DEPLOY.resolve("k8s/base/flinkdeployment.yaml"))
                        .get(0)
                        .at("/spec/flinkConfiguration")
                        .get("env.java.opts.all")
                        .asText();
        assertThat(List.of(deployment.split("\\s+")))
                .containsAll(launcher)
                .contains("-Dorg.apache.avro.specific.use_custom_coders=true");
        JsonNode cron =
                documents(DEPLOY.resolve("k8s/base/maintain-cronjob.yaml"))
                        .get(0)
                        .at("/spec/jobTemplate/spec/template/spec/containers/0");
        List<String> cronArgs = args(cron.get("args"));
        assertThat(cronArgs.subList(0, cronArgs.indexOf("-cp"))).containsAll(launcher);
        String compose = Files.readString(DEPLOY.resolve("compose/docker-compose.yml"));
        Matcher opts = Pattern.compile("env\\.java\\.opts\\.all: (.*)").matcher(compose);
        int found = 0;
        while (opts.find()) {
            assertThat(List.of(opts.group(1).trim().split("\\s+"))).containsAll(launcher);
            found++;
        }
        assertThat(found).isEqualTo(2);
    }

    /** The CronJob needs no file to exist and mounts only volumes the kustomization declares. */
    @Test
    void theCronJobNeedsNoRequestsFileAndMountsDeclaredVolumesOnly() throws IOException {
        JsonNode pod =
                documents(DEPLOY.resolve("k8s/base/maintain-cronjob.yaml"))
                        .get(0)
                        .at("/spec/jobTemplate/spec/template/spec");
        assertThat(args(pod.at("/containers/0/args"))).doesNotContain("--requests");
        List<String> resources =
                args(
                        documents(DEPLOY.resolve("k8s/base/kustomization.yaml"))
                                .get(0)
                                .get("resources"));
        List<String> declaredClaims = new ArrayList<>();
        for (String r : resources) {
            for (JsonNode doc : documents(DEPLOY.resolve("k8s/base").resolve(r))) {
                if (doc.get("kind").asText().equals("PersistentVolumeClaim")) {
                    declaredClaims.add(doc.at("/metadata/name").asText());
                }
            }
        }
        for (JsonNode volume : pod.get("volumes")) {
            if (volume.has("persistentVolumeClaim")) {
                assertThat(declaredClaims)
                        .contains(volume.at("/persistentVolumeClaim/claimName").asText());
            }
        }
        List<String> args = args(pod.at("/containers/0/args"));
        String exportDir = args.get(args.indexOf("--export-dir") + 1);
        assertThat(pod.at("/containers/0/volumeMounts"))
                .anySatisfy(m -> assertThat(m.get("mountPath").asText()).isEqualTo(exportDir));
    }

    @Test
    void topicsHaveTheirRetentionAndCompaction() throws IOException {
        List<JsonNode> topics = documents(DEPLOY.resolve("k8s/base/kafka-topics.yaml"));
        assertThat(topics)
                .extracting(t -> t.at("/metadata/name").asText())
                .containsExactly("hits.raw", "hits.dlq", "tenants.config", "rights.requests");
        assertThat(topics)
                .allSatisfy(t -> assertThat(t.get("kind").asText()).isEqualTo("KafkaTopic"));
        assertThat(topics.get(1).at("/spec/config/retention.ms").asText()).isEqualTo("604800000");
        assertThat(topics.get(2).at("/spec/config/cleanup.policy").asText()).isEqualTo("compact");
        // one partition each: broadcast config and requests take effect in the order sent
        assertThat(topics.get(2).at("/spec/partitions").asInt()).isEqualTo(1);
        assertThat(topics.get(3).at("/spec/partitions").asInt()).isEqualTo(1);
        assertThat(topics.get(3).at("/spec/config/retention.ms").asText()).isEqualTo("604800000");
    }

    @Test
    void noSecretValueIsWrittenInline() throws IOException {
        Pattern secret =
                Pattern.compile(
                        "(?i)(password|secret-access-key|secret_access_key|token|jdbc\\.password)\\s*[:=]\\s*(\\S+)");
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            for (Path f :
                    files.filter(Files::isRegularFile)
                            .filter(p -> !p.toString().contains("/target/"))
                            .toList()) {
                Matcher m = secret.matcher(Files.readString(f));
                while (m.find()) {
                    String value = m.group(2);
                    // only references to the environment (Kubernetes Secrets, compose variables)
                    assertThat(value)
                            .as(f + ": " + m.group(1))
                            .matches("\"?\\$\\{(env:)?[A-Za-z0-9_]+.*");
                }
            }
        }
    }

    @Test
    void theImageCopiesTheJarTheBuildMakesAndRunsAsNonRoot() throws IOException {
        String dockerfile = Files.readString(DEPLOY.resolve("docker/Dockerfile"));
        String pom = Files.readString(ROOT.resolve("jobs/pom.xml"));
        assertThat(pom).contains("<shadedClassifierName>job</shadedClassifierName>");
        assertThat(dockerfile)
                .contains(
                        "COPY --chown=flink:flink jobs/target/hitflow-jobs-0.1.0-SNAPSHOT-job.jar /opt/flink/usrlib/hitflow.jar")
                .contains("USER flink")
                .startsWith("# The Hitflow job image");
        assertThat(dockerfile).contains("FROM flink:2.1.1-java17");
    }

    @Test
    void overlaysSetTheImageTheDeploymentUses() throws IOException {
        for (String env : List.of("dev", "prod")) {
            JsonNode k =
                    documents(DEPLOY.resolve("k8s/overlays/" + env + "/kustomization.yaml")).get(0);
            assertThat(k.at("/images/0/name").asText()).isEqualTo("hitflow");
            assertThat(k.at("/resources/0").asText()).isEqualTo("../../base");
        }
    }

    @Test
    void theDashboardParsesAndNamesMetricsTheJobRegisters() throws IOException {
        JsonNode dash =
                new ObjectMapper().readTree(DEPLOY.resolve("grafana/hitflow.json").toFile());
        List<String> exprs = new ArrayList<>();
        dash.get("panels").forEach(p -> exprs.add(p.at("/targets/0/expr").asText()));
        assertThat(String.join("\n", exprs))
                .contains("hitflow_tenant_reason_dead_letters")
                .contains("hitflow_hits_accepted")
                .contains("lateHits")
                .contains("openSessions")
                .contains("lastCheckpointDuration");
    }

    @Test
    void everyFileAndCommandTheRunbookNamesExists() throws IOException {
        String runbook = Files.readString(ROOT.resolve("docs/RUNBOOK.md"));
        Matcher paths =
                Pattern.compile("`((?:deploy|docs|config|jobs)/[^`\\s]+)`").matcher(runbook);
        int checked = 0;
        while (paths.find()) {
            String p = paths.group(1).replaceAll("[.,)]$", "");
            if (p.startsWith("jobs/target/")) {
                continue; // build output
            }
            assertThat(ROOT.resolve(p)).as(p).exists();
            checked++;
        }
        assertThat(checked).isGreaterThan(8);
        Matcher commands = Pattern.compile("hitflow ([a-z]+)").matcher(runbook);
        var names = HitflowCommand.commandLine().getSubcommands().keySet();
        while (commands.find()) {
            String sub = commands.group(1);
            if (List.of("stream", "maintain", "rights", "local", "sql", "bench").contains(sub)
                    || names.contains(sub)) {
                assertThat(names).as("hitflow " + sub).contains(sub);
            }
        }
    }

    @Test
    void theTrinoRulesAreWhatAccessTrinoPrintsForTheBaseTenantConfig() throws IOException {
        Path access = DEPLOY.resolve("k8s/trino-access");
        String expected =
                TrinoAccessRules.json(
                        TenantConfigLoader.load(DEPLOY.resolve("k8s/base/tenants.yaml")),
                        "hitflow");
        assertThat(Files.readString(access.resolve("rules.json")))
                .as("regenerate: hitflow access trino --tenants deploy/k8s/base/tenants.yaml")
                .isEqualTo(expected);
        java.util.Properties props = new java.util.Properties();
        try (var in = Files.newBufferedReader(access.resolve("access-control.properties"))) {
            props.load(in);
        }
        assertThat(props.getProperty("access-control.name")).isEqualTo("file");
        assertThat(props.getProperty("security.config-file"))
                .isEqualTo("/etc/trino/hitflow-access/rules.json");
        assertThat(props.getProperty("security.refresh-period")).isEqualTo("1m");
        JsonNode kustomization = documents(access.resolve("kustomization.yaml")).get(0);
        assertThat(kustomization.at("/configMapGenerator/0/files").toString())
                .isEqualTo("[\"rules.json\",\"access-control.properties\"]");
    }

    @Test
    void everyYamlUnderDeployParsesAndNamesItsKind() throws IOException {
        int manifests = 0;
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            for (Path f :
                    files.filter(
                                    p ->
                                            !p.toString().contains("/target/")
                                                    && (p.toString().endsWith(".yaml")
                                                            || p.toString().endsWith(".yml")))
                            .toList()) {
                for (JsonNode doc : documents(f)) {
                    assertThat(doc.isObject()).as(f.toString()).isTrue();
                    // the tenant config, the compose stack and the Flink configuration the
                    // rehearsal lays the FlinkDeployment's over are not Kubernetes objects
                    if (!List.of("tenants.yaml", "docker-compose.yml", "flink-config-defaults.yaml")
                            .contains(f.getFileName().toString())) {
                        assertThat(doc.hasNonNull("kind")).as(f + " has a kind").isTrue();
                        assertThat(doc.hasNonNull("apiVersion"))
                                .as(f + " has an apiVersion")
                                .isTrue();
                    }
                    manifests++;
                }
            }
        }
        // 14 manifests (the Trino access rules' included) and the rehearsal's Flink defaults
        assertThat(manifests).isEqualTo(15);
    }
}
