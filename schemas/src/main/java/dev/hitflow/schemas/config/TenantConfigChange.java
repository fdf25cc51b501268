package dev.hitflow.schemas.config;

import java.io.Serializable;

/**
 * One record of the compacted topic {@code tenants.config}: the tenant ID (the record key) and its
 * document (the value), or a null document for a tombstone that removes the tenant.
 */
public record TenantConfigChange(String tenantId, String document) implements Serializable {}
