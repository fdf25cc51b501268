package dev.hitflow.jobs.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rehearsal cluster's Flink configuration: Flink's shipped defaults, the FlinkDeployment's
 * {@code flinkConfiguration} laid over them (as the Kubernetes operator does, with the memory of
 * {@code jobManager}/{@code taskManager.resource}), then only the keys that cannot work on one
 * machine mapped, each one recorded so the rehearsal prints it.
 */
final class ClusterConfig {
    /** One TaskManager of two slots, so parallelism 2 instead of the manifest's. */
    static final int PARALLELISM = 2;

    static final String JAVA_OPTS_ALL = "env.java.opts.all";

    final Map<String, String> effective = new LinkedHashMap<>();
    final List<String> mappings = new ArrayList<>();

    static Map<String, String> readFlat(Path yaml) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml.toFile());
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    static ClusterConfig of(
            Map<String, String> defaults,
            JsonNode deploymentSpec,
            Path storage,
            int rpcPort,
            int restPort,
            String checkpointInterval) {
        ClusterConfig c = new ClusterConfig();
        c.effective.putAll(defaults);
        JsonNode memoryJm = deploymentSpec.at("/jobManager/resource/memory");
        if (!memoryJm.isMissingNode()) {
            c.effective.put("jobmanager.memory.process.size", memoryJm.asText());
        }
        JsonNode memoryTm = deploymentSpec.at("/taskManager/resource/memory");
        if (!memoryTm.isMissingNode()) {
            c.effective.put("taskmanager.memory.process.size", memoryTm.asText());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        deploymentSpec.path("flinkConfiguration").fields();
                it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            c.effective.put(e.getKey(), e.getValue().asText());
        }
        c.mapForOneMachine(storage, rpcPort, restPort, checkpointInterval);
        return c;
    }

    private void mapForOneMachine(
            Path storage, int rpcPort, int restPort, String checkpointInterval) {
        for (String key : new ArrayList<>(effective.keySet())) {
            String value = effective.get(key);
            if (value.startsWith("s3://")) {
                map(key, storage.resolve(value.substring("s3://".length())).toUri().toString());
            }
            if (key.startsWith("metrics.reporter.prom.")) {
                effective.remove(key);
                mappings.add(
                        key
                                + ": removed (flink-metrics-prometheus "
                                + "is not on Maven Central; the image has it in plugins/)");
            }
        }
        if (!"none".equalsIgnoreCase(effective.getOrDefault("high-availability.type", "none"))) {
            map("high-availability.type", "NONE");
        }
        for (String key :
                List.of(
                        "jobmanager.rpc.address",
                        "jobmanager.bind-host",
                        "taskmanager.host",
                        "taskmanager.bind-host",
                        "rest.address",
                        "rest.bind-address")) {
            map(key, "127.0.0.1");
        }
        map("jobmanager.rpc.port", Integer.toString(rpcPort));
        map("rest.port", Integer.toString(restPort));
        map("taskmanager.numberOfTaskSlots", Integer.toString(PARALLELISM));
        map("parallelism.default", Integer.toString(PARALLELISM));
        map("execution.checkpointing.interval", checkpointInterval);
        // A 2-core machine shared with builds starts the RPC system and answers asks slowly
        // (10 s defaults, seen to expire under load); a pod with its own cores does not need it.
        map("pekko.startup-timeout", "60 s");
        map("pekko.ask.timeout", "60 s");
    }

    private void map(String key, String value) {
        String before = effective.get(key);
        if (value.equals(before)) {
            return;
        }
        effective.put(key, value);
        mappings.add(key + ": " + (before == null ? "(unset)" : before) + " -> " + value);
    }

    /** Writes conf/config.yaml: flat keys, every value a quoted string. */
    void write(Path confDir) throws IOException {
        Files.createDirectories(confDir);
        ObjectMapper json = new ObjectMapper();
        StringBuilder yaml = new StringBuilder();
        for (Map.Entry<String, String> e : effective.entrySet()) {
            yaml.append(e.getKey())
                    .append(": ")
                    .append(json.writeValueAsString(e.getValue()))
                    .append('\n');
        }
        Files.writeString(confDir.resolve("config.yaml"), yaml.toString());
    }

    /**
     * The JVM options Flink's bin/config.sh derives for a process: {@code
     * env.java.default-opts.all}, {@code env.java.opts.all}, then the role's default and own
     * options, behind {@code -XX:+IgnoreUnrecognizedVMOptions}.
     */
    List<String> javaOptions(String role) {
        List<String> opts = new ArrayList<>();
        opts.add("-XX:+IgnoreUnrecognizedVMOptions");
        for (String key :
                List.of(
                        "env.java.default-opts.all",
                        JAVA_OPTS_ALL,
                        "env.java.default-opts." + role,
                        "env.java.opts." + role)) {
            String value = effective.getOrDefault(key, "").trim();
            if (value.startsWith("\"") && value.endsWith("\"") && value.length() > 1) {
                value = value.substring(1, value.length() - 1);
            }
            for (String option : value.split("\\s+")) {
                if (!option.isEmpty()) {
                    opts.add(option);
                }
            }
        }
        return opts;
    }
}
