package dev.hitflow.jobs.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/** The JobManager's REST API, the calls a deployment tool makes. */
final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    FlinkRest(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), path);
    }

    JsonNode post(String path, Object body) throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))),
                path);
    }

    JsonNode patch(String path) throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody()),
                path);
    }

    /** POST /jars/upload (multipart "jarfile"); returns the jar ID the run call takes. */
    String uploadJar(Path jar) throws IOException, InterruptedException {
        String boundary = "----rehearsal" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode answer =
                send(
                        HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .timeout(Duration.ofMinutes(2))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())),
                        "/jars/upload");
        String filename = answer.path("filename").asText();
        return Path.of(filename).getFileName().toString();
    }

    private JsonNode send(HttpRequest.Builder request, String path)
            throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        request.timeout(Duration.ofMinutes(3)).build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode body =
                response.body().isBlank()
                        ? JSON.createObjectNode()
                        : JSON.readTree(response.body());
        if (response.statusCode() >= 300) {
            throw new RestException(path, response.statusCode(), body);
        }
        return body;
    }

    /** A REST call answered with an error: its status and Flink's error list. */
    static final class RestException extends IOException {
        private static final long serialVersionUID = 1L;

        RestException(String path, int status, JsonNode body) {
            super(path + " answered " + status + ": " + body.path("errors"));
        }
    }
}
