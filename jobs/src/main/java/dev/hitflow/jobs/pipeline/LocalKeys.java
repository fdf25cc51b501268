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
     * Creates the file with a random 32-byte key per tenant's current version and a random
     * suppression key per tenant if it does not exist; returns true if it made it. A file made by
     * an earlier version (no suppression keys) gets one per tenant added, keys kept.
     */
    public static boolean ensure(Path file, TenantRegistry tenants) {
        SecureRandom random = new SecureRandom();
        if (Files.exists(file)) {
            addSuppressionKeys(file, tenants, random);
            return false;
        }
        StringBuilder yaml =
                new StringBuilder(
                        "# Hitflow pseudonymization keys (tenant -> version -> base64; 'suppression'"
                                + " never rotates). Keep this file: visitor IDs and opt-outs"
                                + " depend on it.\n");
        for (TenantConfig tenant : tenants.tenants()) {
            yaml.append(tenant.id())
                    .append(":\n  ")
                    .append(tenant.currentKey())
                    .append(": ")
                    .append(randomKey(random))
                    .append("\n  ")
                    .append(KeyRing.SUPPRESSION)
                    .append(": ")
                    .append(randomKey(random))
                    .append('\n');
        }
        write(file, yaml.toString());
        return true;
    }

    private static void addSuppressionKeys(Path file, TenantRegistry tenants, SecureRandom random) {
        KeyRing ring = KeyRing.load(file);
        boolean missing = false;
        for (TenantConfig tenant : tenants.tenants()) {
            missing |=
                    !ring.liveKeys(tenant.id()).isEmpty() && !ring.hasSuppressionKey(tenant.id());
        }
        if (!missing) {
            return;
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read keys file " + file + ": " + e.getMessage());
        }
        // the file is the runner's own (tenant:, then indented versions): add a line per tenant
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            out.append(line).append('\n');
            String tenant =
                    line.endsWith(":") && !line.startsWith(" ")
                            ? line.substring(0, line.length() - 1)
                            : null;
            if (tenant != null
                    && tenants.tenant(tenant).isPresent()
                    && !ring.hasSuppressionKey(tenant)) {
                out.append("  ")
                        .append(KeyRing.SUPPRESSION)
                        .append(": ")
                        .append(randomKey(random))
                        .append('\n');
            }
        }
        write(file, out.toString().stripTrailing() + "\n");
    }

    private static String randomKey(SecureRandom random) {
        byte[] key = new byte[KeyRing.MIN_KEY_BYTES];
        random.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private static void write(Path file, String yaml) {
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
    }
}
