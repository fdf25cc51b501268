package dev.hitflow.schemas.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-tenant, versioned pseudonymization keys: tenant -> version -> key bytes. Every version
 * listed is live (erasure computes visitor IDs under each). Beside its versions a tenant has one
 * {@value #SUPPRESSION} key that never rotates: the opt-out registry matches a request and a hit
 * under it, so an opt-out holds across rotations of the visitor-ID key without the raw identifier
 * being kept. Messages never show key material.
 */
public final class KeyRing {
    /** HMAC-SHA-256 keys shorter than this are refused. */
    public static final int MIN_KEY_BYTES = 32;

    /** The name, among a tenant's versions, of its version-independent suppression key. */
    public static final String SUPPRESSION = "suppression";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<String, Map<String, byte[]>> keys;
    private final Map<String, byte[]> suppressionKeys;
    private final String origin;

    private KeyRing(
            Map<String, Map<String, byte[]>> keys,
            Map<String, byte[]> suppressionKeys,
            String origin) {
        this.keys = keys;
        this.suppressionKeys = suppressionKeys;
        this.origin = origin;
    }

    /** Keys by tenant and version; a version named {@value #SUPPRESSION} is the suppression key. */
    public static KeyRing of(Map<String, Map<String, byte[]>> keys) {
        return of(keys, "the keys file");
    }

    private static KeyRing of(Map<String, Map<String, byte[]>> keys, String origin) {
        Map<String, Map<String, byte[]>> copy = new LinkedHashMap<>();
        Map<String, byte[]> suppression = new LinkedHashMap<>();
        keys.forEach(
                (tenant, versions) -> {
                    Map<String, byte[]> live = new LinkedHashMap<>(versions);
                    byte[] key = live.remove(SUPPRESSION);
                    if (key != null) {
                        suppression.put(tenant, key);
                    }
                    copy.put(tenant, Collections.unmodifiableMap(live));
                });
        return new KeyRing(
                Collections.unmodifiableMap(copy),
                Collections.unmodifiableMap(suppression),
                origin);
    }

    /** Reads a keys file: {@code tenant: {version: base64-key}}. */
    public static KeyRing load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("keys file " + file + " does not exist");
        }
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException("keys file " + file + " is not valid YAML");
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(
                    "keys file " + file + " must map tenant -> version -> base64 key");
        }
        Map<String, Map<String, byte[]>> keys = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> tenants = root.fields();
        while (tenants.hasNext()) {
            Map.Entry<String, JsonNode> tenant = tenants.next();
            if (!tenant.getValue().isObject() || tenant.getValue().isEmpty()) {
                throw new ConfigException(
                        "keys file "
                                + file
                                + ": tenant '"
                                + tenant.getKey()
                                + "' must map version -> base64 key");
            }
            Map<String, byte[]> versions = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> entries = tenant.getValue().fields();
            while (entries.hasNext()) {
                Map.Entry<String, JsonNode> version = entries.next();
                String where =
                        "keys file "
                                + file
                                + ": tenant '"
                                + tenant.getKey()
                                + "', version '"
                                + version.getKey()
                                + "'";
                byte[] key;
                try {
                    key = Base64.getDecoder().decode(version.getValue().asText().trim());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(where + " is not valid base64");
                }
                if (key.length < MIN_KEY_BYTES) {
                    throw new ConfigException(
                            where
                                    + " is "
                                    + key.length
                                    + " bytes; at least "
                                    + MIN_KEY_BYTES
                                    + " are needed");
                }
                versions.put(version.getKey(), key);
            }
            keys.put(tenant.getKey(), versions);
        }
        return of(keys, "keys file " + file);
    }

    /** The key of that tenant and version; a clear error when it is missing. */
    public byte[] key(String tenantId, String version) {
        Map<String, byte[]> versions = keys.get(tenantId);
        if (versions == null) {
            throw new ConfigException("no key for tenant '" + tenantId + "' in the keys file");
        }
        byte[] key = versions.get(version);
        if (key == null) {
            throw new ConfigException(
                    "no key version '"
                            + version
                            + "' for tenant '"
                            + tenantId
                            + "' in the keys file");
        }
        return key.clone();
    }

    /** Whether the ring holds that tenant's key of that version. */
    public boolean has(String tenantId, String version) {
        Map<String, byte[]> versions = keys.get(tenantId);
        return versions != null && versions.containsKey(version);
    }

    /** Every live version of a tenant's key, oldest first as listed. */
    public Map<String, byte[]> liveKeys(String tenantId) {
        Map<String, byte[]> versions = keys.get(tenantId);
        return versions == null ? Map.of() : versions;
    }

    /**
     * Checks that every tenant's current key and suppression key are present; throws naming the
     * first one missing.
     */
    public void requireCurrentKeys(TenantRegistry registry) {
        for (TenantConfig tenant : registry.tenants()) {
            key(tenant.id(), tenant.currentKey());
            suppressionKey(tenant.id());
        }
    }

    /** Whether the ring holds that tenant's suppression key. */
    public boolean hasSuppressionKey(String tenantId) {
        return suppressionKeys.containsKey(tenantId);
    }

    /** The tenant's suppression key; a message saying how to add it when it is missing. */
    public byte[] suppressionKey(String tenantId) {
        byte[] key = suppressionKeys.get(tenantId);
        if (key == null) {
            throw new ConfigException(
                    origin
                            + ": tenant '"
                            + tenantId
                            + "' has no '"
                            + SUPPRESSION
                            + "' key. Add one beside its versions ("
                            + SUPPRESSION
                            + ": <base64 of 32 random bytes>, e.g. from `openssl rand -base64"
                            + " 32`) and never rotate it: opt-outs are matched under it, so they"
                            + " hold across rotations of the visitor-ID key");
        }
        return key.clone();
    }

    @Override
    public String toString() {
        return "KeyRing" + keys.keySet();
    }
}
