package dev.hitflow.schemas.config;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Tenant documents from the compacted topic {@code tenants.config} laid over the tenants of the
 * file the job started with. A record's key is the tenant ID, its value that tenant's document (the
 * keys of one {@code tenants} entry of the file), a null value (tombstone) removes the tenant.
 * Pure: the Flink operator keeps the accepted documents in broadcast state and rebuilds the
 * registry from them after a restore.
 */
public final class TenantConfigUpdates {
    private TenantConfigUpdates() {}

    /**
     * The registry after one change; a {@link ConfigException} naming the tenant and the problem if
     * the document is invalid, names another tenant, or claims a site of another tenant.
     *
     * @param document the tenant's document, or null to remove the tenant
     */
    public static TenantRegistry apply(TenantRegistry current, String tenantId, String document) {
        if (tenantId == null || tenantId.isBlank()) {
            throw new ConfigException("tenants.config record has no key (the tenant ID)");
        }
        if (document == null) {
            return current.without(tenantId);
        }
        TenantConfig tenant =
                TenantConfigLoader.parseTenant(document, "tenants.config key '" + tenantId + "'");
        if (!tenant.id().equals(tenantId)) {
            throw new ConfigException(
                    "tenants.config key '"
                            + tenantId
                            + "' carries the document of tenant '"
                            + tenant.id()
                            + "'");
        }
        return current.with(tenant);
    }

    /**
     * The registry of {@code base} with every accepted change applied in the given order (null
     * values remove). A change that no longer applies (another change took its site since) is
     * skipped and reported, so a restore never fails on the config.
     */
    public static TenantRegistry overlay(
            TenantRegistry base,
            Iterable<Map.Entry<String, String>> changes,
            BiConsumer<String, ConfigException> skipped) {
        TenantRegistry registry = base;
        for (Map.Entry<String, String> change : changes) {
            try {
                registry = apply(registry, change.getKey(), change.getValue());
            } catch (ConfigException e) {
                skipped.accept(change.getKey(), e);
            }
        }
        return registry;
    }
}
