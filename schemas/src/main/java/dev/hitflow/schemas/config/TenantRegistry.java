package dev.hitflow.schemas.config;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** All tenants of one configuration document, with the site -> tenant map. */
public final class TenantRegistry implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<TenantConfig> tenants;
    private final Map<String, TenantConfig> bySite;
    private final Map<String, TenantConfig> byId;
    private final String keysFile;
    private final Duration deadLetterRetention;
    private final List<String> biAdmins;

    /** How long raw input kept as dead letters may be kept, unless the file says otherwise. */
    public static final Duration DEFAULT_DEAD_LETTER_RETENTION = Duration.ofDays(7);

    public TenantRegistry(List<TenantConfig> tenants, Path keysFile) {
        this(tenants, keysFile, DEFAULT_DEAD_LETTER_RETENTION, List.of());
    }

    /**
     * @param biAdmins the deployment's {@code bi_admins}: BI principals who may read every tenant
     *     and the rights tables
     */
    public TenantRegistry(
            List<TenantConfig> tenants,
            Path keysFile,
            Duration deadLetterRetention,
            List<String> biAdmins) {
        this.deadLetterRetention = deadLetterRetention;
        this.tenants = List.copyOf(tenants);
        this.biAdmins = List.copyOf(biAdmins);
        Map<String, TenantConfig> sites = new LinkedHashMap<>();
        Map<String, TenantConfig> ids = new LinkedHashMap<>();
        for (TenantConfig tenant : tenants) {
            if (ids.put(tenant.id(), tenant) != null) {
                throw new ConfigException("tenant '" + tenant.id() + "' is listed twice");
            }
            for (String site : tenant.sites()) {
                TenantConfig previous = sites.put(site, tenant);
                if (previous != null) {
                    throw new ConfigException(
                            "site '"
                                    + site
                                    + "' belongs to both tenant '"
                                    + previous.id()
                                    + "' and tenant '"
                                    + tenant.id()
                                    + "'");
                }
            }
        }
        this.bySite = Collections.unmodifiableMap(sites);
        this.byId = Collections.unmodifiableMap(ids);
        this.keysFile = keysFile == null ? null : keysFile.toString();
    }

    public List<TenantConfig> tenants() {
        return tenants;
    }

    /** BI principals who may read every tenant's rows and the rights tables. */
    public List<String> biAdmins() {
        return biAdmins;
    }

    public Optional<TenantConfig> tenantForSite(String siteId) {
        return Optional.ofNullable(bySite.get(siteId));
    }

    public Optional<TenantConfig> tenant(String tenantId) {
        return Optional.ofNullable(byId.get(tenantId));
    }

    /** The keys file this configuration names (resolved), or null when keys come from elsewhere. */
    public Optional<Path> keysFile() {
        return Optional.ofNullable(keysFile).map(Path::of);
    }

    /** Deployment-wide: dead letters (raw input) older than this are deleted by maintenance. */
    public Duration deadLetterRetention() {
        return deadLetterRetention;
    }

    /**
     * This registry with {@code tenant} added, or replacing the tenant of that ID; a {@link
     * ConfigException} if one of its sites belongs to another tenant.
     */
    public TenantRegistry with(TenantConfig tenant) {
        List<TenantConfig> next = new ArrayList<>();
        boolean replaced = false;
        for (TenantConfig t : tenants) {
            if (t.id().equals(tenant.id())) {
                next.add(tenant);
                replaced = true;
            } else {
                next.add(t);
            }
        }
        if (!replaced) {
            next.add(tenant);
        }
        return new TenantRegistry(
                next, keysFile == null ? null : Path.of(keysFile), deadLetterRetention, biAdmins);
    }

    /** This registry without the tenant of that ID (its sites become unknown). */
    public TenantRegistry without(String tenantId) {
        List<TenantConfig> next = new ArrayList<>(tenants);
        next.removeIf(t -> t.id().equals(tenantId));
        return new TenantRegistry(
                next, keysFile == null ? null : Path.of(keysFile), deadLetterRetention, biAdmins);
    }
}
