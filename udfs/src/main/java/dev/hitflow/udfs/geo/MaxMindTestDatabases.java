package dev.hitflow.udfs.geo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds MaxMind's public test databases: the folder named by {@code HITFLOW_SHARED_DATA} (system
 * property or environment variable), else {@code shared/data} beside the checkout, found by walking
 * up from the working directory. Used by tests and as the local runner's default.
 */
public final class MaxMindTestDatabases {
    public static final String SHARED_DATA = "HITFLOW_SHARED_DATA";
    public static final String CITY_TEST = "GeoIP2-City-Test.mmdb";

    private MaxMindTestDatabases() {}

    /** The shared data folder (the one holding {@code maxmind/}), if found. */
    public static Optional<Path> sharedData() {
        String configured = System.getProperty(SHARED_DATA, System.getenv(SHARED_DATA));
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            return Files.isDirectory(p.resolve("maxmind")) ? Optional.of(p) : Optional.empty();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("data");
            if (Files.isDirectory(candidate.resolve("maxmind"))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** A database file of the maxmind folder, if present. */
    public static Optional<Path> file(String name) {
        return sharedData()
                .map(p -> p.resolve("maxmind").resolve(name))
                .filter(Files::isRegularFile);
    }

    public static Optional<Path> cityTestDatabase() {
        return file(CITY_TEST);
    }

    /**
     * The full-size GeoLite2 City (2019) of the shared data folder, if present: the database of the
     * benchmarks, whose lookups miss and hit as production's do.
     */
    public static Optional<Path> fullSizeCity() {
        return sharedData()
                .map(p -> p.resolve("geolite2-2019").resolve("GeoLite2-City.mmdb"))
                .filter(Files::isRegularFile);
    }
}
