package dev.hitflow.jobs.maintain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The local runner's dead letters ({@code <warehouse>/dead-letters/run=<id>/dead-letters-*.jsonl}),
 * the one place outside Kafka where raw input rests: maintenance deletes the files older than the
 * deployment's {@code dead_letter_retention}, and an erasure removes the dead letters that carry
 * the erased visitor's identifier while they exist.
 */
public final class DeadLetterFiles {
    /** What a pass removed: files deleted, dead letters removed from files kept, bytes freed. */
    public record Result(int files, long letters, long bytes) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private DeadLetterFiles() {}

    /**
     * Deletes every dead-letter file under {@code root} last written before {@code cutoff}, then
     * every run folder left empty. Unfinished files of a run that stopped (hidden, in progress) go
     * too: they hold raw input as well.
     */
    public static Result expire(Path root, Instant cutoff, boolean dryRun) {
        int files = 0;
        long bytes = 0;
        for (Path file : files(root, true)) {
            try {
                if (Files.getLastModifiedTime(file).toInstant().isBefore(cutoff)) {
                    files++;
                    bytes += Files.size(file);
                    if (!dryRun) {
                        Files.delete(file);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (!dryRun) {
            removeEmptyRunFolders(root);
        }
        return new Result(files, 0, bytes);
    }

    /**
     * Removes every dead letter whose original is a JSON hit with a {@code field} ("cookie_id",
     * "mobile_id", "user_id") that {@code erased} accepts (the caller compares pseudonymous IDs, so
     * the erased identifier itself is never at hand here). A file left empty is deleted; others are
     * rewritten without those lines. Dead letters whose original is not a JSON object (malformed
     * input, Avro) cannot be matched, nor can files still being written: they go with the
     * retention.
     */
    public static Result erase(Path root, String field, Predicate<String> erased, boolean dryRun) {
        int filesDeleted = 0;
        long letters = 0;
        long bytes = 0;
        for (Path file : files(root, false)) {
            try {
                List<String> kept = new ArrayList<>();
                long removed = 0;
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (carries(line, field, erased)) {
                        removed++;
                        bytes += line.getBytes(StandardCharsets.UTF_8).length + 1;
                    } else {
                        kept.add(line);
                    }
                }
                if (removed == 0) {
                    continue;
                }
                letters += removed;
                if (dryRun) {
                    continue;
                }
                if (kept.isEmpty()) {
                    Files.delete(file);
                    filesDeleted++;
                } else {
                    Path tmp = file.resolveSibling("." + file.getFileName() + ".erasing");
                    Files.write(tmp, kept, StandardCharsets.UTF_8);
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (!dryRun) {
            removeEmptyRunFolders(root);
        }
        return new Result(filesDeleted, letters, bytes);
    }

    private static boolean carries(String line, String field, Predicate<String> erased) {
        try {
            JsonNode letter = JSON.readTree(line);
            JsonNode original = letter == null ? null : letter.get("original");
            if (original == null || !original.isTextual()) {
                return false;
            }
            JsonNode hit = JSON.readTree(original.asText());
            JsonNode value = hit == null || !hit.isObject() ? null : hit.get(field);
            return value != null && value.isTextual() && erased.test(value.asText());
        } catch (IOException e) {
            return false; // not JSON: cannot be matched
        }
    }

    /** The dead-letter files under {@code root}: committed ones, and in-progress ones if asked. */
    static List<Path> files(Path root, boolean inProgress) {
        if (root == null || !Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .filter(
                            p -> {
                                String name = p.getFileName().toString();
                                return name.startsWith("dead-letters")
                                        || (inProgress && name.startsWith(".dead-letters"));
                            })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void removeEmptyRunFolders(Path root) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path dir :
                    walk.filter(Files::isDirectory)
                            .filter(p -> !p.equals(root))
                            .sorted(Comparator.reverseOrder())
                            .toList()) {
                try (Stream<Path> children = Files.list(dir)) {
                    if (children.findAny().isEmpty()) {
                        Files.delete(dir);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
