package dev.hitflow.udfs.sql;

import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.udfs.agent.UserAgentClassifier;
import dev.hitflow.udfs.geo.GeoLocator;
import dev.hitflow.udfs.geo.MaxMindTestDatabases;
import java.nio.file.Path;
import org.apache.flink.table.functions.FunctionContext;

/**
 * The heavy objects behind the SQL functions, one per JVM: GeoIP readers and the user-agent
 * classifier (both thread-safe; several functions in one query share them).
 */
final class SharedEnrichers {
    /** Job parameter naming the MaxMind City database. */
    static final String GEOIP_PATH = "hitflow.geoip.path";

    /** Job parameter naming the keys file; else the environment variable HITFLOW_KEYS_FILE. */
    static final String KEYS_FILE = "hitflow.keys.file";

    private SharedEnrichers() {}

    static GeoLocator geo(FunctionContext context) {
        String path = context.getJobParameter(GEOIP_PATH, null);
        if (path == null) {
            path =
                    MaxMindTestDatabases.cityTestDatabase()
                            .map(Path::toString)
                            .orElseThrow(
                                    () ->
                                            new ConfigException(
                                                    "set the job parameter "
                                                            + GEOIP_PATH
                                                            + " to a MaxMind City database"));
        }
        return GeoLocator.shared(Path.of(path));
    }

    static UserAgentClassifier agents() {
        return UserAgentClassifier.shared();
    }

    static KeyRing keys(FunctionContext context) {
        String path = context.getJobParameter(KEYS_FILE, System.getenv("HITFLOW_KEYS_FILE"));
        if (path == null) {
            throw new ConfigException(
                    "set the job parameter "
                            + KEYS_FILE
                            + " or HITFLOW_KEYS_FILE to the keys file");
        }
        return KeyRing.load(Path.of(path));
    }
}
