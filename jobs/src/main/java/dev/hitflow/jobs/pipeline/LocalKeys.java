package dev.hitflow.jobs.pipeline;

import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantConfig;
import dev.hitflow.schemas.config.TenantRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** The local runner's keys file: made with random keys on first run, beside the warehouse. */
public final class LocalKeys {
    private LocalKeys() {}

    /** Where the local runner keeps keys when the config names no keys file. */
    public static Path defaultLocation(Path warehouse) {
        Path abs = warehouse.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + "-keys.yaml");
    }

    /**
     * Creates the file with a random 32-byte key per tenant's current version if it does not exist;
     * returns true if it made it.
     */
    public static boolean ensure(Path file, TenantRegistry tenants) {
        if (Files.exists(file)) {
            return false;
        }
        SecureRandom random = new SecureRandom();
        StringBuilder yaml =
                new StringBuilder(
                        "# Hitflow pseudonymization keys (tenant -> version -> base64)."
                                + " Keep this file: visitor IDs depend on it.\n");
        for (TenantConfig tenant : tenants.tenants()) {
            byte[] key = new byte[KeyRing.MIN_KEY_BYTES];
            random.nextBytes(key);
            yaml.append(tenant.id())
                    .append(":\n  ")
                    .append(tenant.currentKey())
                    .append(": ")
                    .append(Base64.getEncoder().encodeToString(key))
                    .append('\n');
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, yaml);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default permissions
            }
        } catch (IOException e) {
            throw new ConfigException("cannot write keys file " + file + ": " + e.getMessage());
        }
        return true;
    }
}
