package dev.hitflow.jobs.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** A tenant config and keys file written into a test folder. */
public final class TestTenants {
    /** 32 bytes; tests recompute visitor IDs with it. */
    public static final byte[] ACME_KEY =
            "acme-test-key-0123456789abcdef!!".getBytes(StandardCharsets.US_ASCII);

    /** 32 bytes: acme's suppression key (never rotated). */
    public static final byte[] ACME_SUPPRESSION_KEY =
            "acme-suppression-key-0123456789!".getBytes(StandardCharsets.US_ASCII);

    public static final String ACME_YAML =
            """
            keys_file: keys.yaml
            tenants:
              - id: acme
                country: FR
                time_zone: Europe/Paris
                sites: [acme-shop]
                identified_visitors: true
                default_consent: OPT_IN
                session: {inactivity_timeout: PT30M, max_length: PT24H}
                url_params_kept: [q]
                current_key: v1
            """;

    private TestTenants() {}

    /** Writes tenants.yaml and keys.yaml into {@code dir}; returns the tenants file. */
    public static Path writeAcme(Path dir) throws IOException {
        Files.writeString(
                dir.resolve("keys.yaml"),
                "acme:\n  v1: "
                        + Base64.getEncoder().encodeToString(ACME_KEY)
                        + "\n  suppression: "
                        + Base64.getEncoder().encodeToString(ACME_SUPPRESSION_KEY)
                        + "\n");
        Path tenants = dir.resolve("tenants.yaml");
        Files.writeString(tenants, ACME_YAML);
        return tenants;
    }
}
