package dev.hitflow.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TenantConfigUpdatesTest {
    static final TenantRegistry BASE =
            TenantConfigLoader.parse(
                    """
                    tenants:
                      - id: acme
                        country: FR
                        time_zone: Europe/Paris
                        sites: [acme-web]
                    """,
                    "base.yaml",
                    null,
                    null);

    static final String BETA =
            """
            id: beta
            country: DE
            time_zone: Europe/Berlin
            sites: [beta-web, beta-app]
            session: {inactivity_timeout: PT10M}
            """;

    @Test
    void addsATenantAndItsSites() {
        TenantRegistry next = TenantConfigUpdates.apply(BASE, "beta", BETA);
        assertThat(next.tenantForSite("beta-app").map(TenantConfig::id)).contains("beta");
        assertThat(next.tenantForSite("acme-web").map(TenantConfig::id)).contains("acme");
        assertThat(next.tenant("beta").orElseThrow().session().inactivityTimeout())
                .isEqualTo(Duration.ofMinutes(10));
        assertThat(BASE.tenant("beta")).isEmpty();
    }

    @Test
    void replacesATenantOfTheFile() {
        TenantRegistry next =
                TenantConfigUpdates.apply(
                        BASE,
                        "acme",
                        """
                        id: acme
                        country: FR
                        time_zone: Europe/Paris
                        sites: [acme-web, acme-app]
                        session: {inactivity_timeout: PT1M, max_length: PT2H}
                        """);
        assertThat(next.tenants()).hasSize(1);
        assertThat(next.tenant("acme").orElseThrow().session())
                .isEqualTo(new SessionSettings(Duration.ofMinutes(1), Duration.ofHours(2)));
        assertThat(next.tenantForSite("acme-app")).isPresent();
    }

    @Test
    void aTombstoneRemovesTheTenant() {
        TenantRegistry next = TenantConfigUpdates.apply(BASE, "acme", null);
        assertThat(next.tenantForSite("acme-web")).isEmpty();
        assertThat(next.tenants()).isEmpty();
    }

    @Test
    void rejectsAnotherTenantsSiteAMismatchedKeyAndABadValue() {
        assertThatThrownBy(
                        () ->
                                TenantConfigUpdates.apply(
                                        BASE, "beta", BETA.replace("beta-app", "acme-web")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("site 'acme-web' belongs to both tenant 'acme' and tenant 'beta'");
        assertThatThrownBy(() -> TenantConfigUpdates.apply(BASE, "gamma", BETA))
                .isInstanceOf(ConfigException.class)
                .hasMessage("tenants.config key 'gamma' carries the document of tenant 'beta'");
        assertThatThrownBy(
                        () ->
                                TenantConfigUpdates.apply(
                                        BASE, "beta", BETA.replace("PT10M", "ten minutes")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tenant 'beta'")
                .hasMessageContaining("inactivity_timeout");
    }

    @Test
    void overlaySkipsAChangeThatNoLongerAppliesAndReportsIt() {
        List<Map.Entry<String, String>> changes =
                List.of(
                        new SimpleEntry<>("beta", BETA),
                        new SimpleEntry<>(
                                "gamma",
                                BETA.replace("id: beta", "id: gamma")
                                        .replace("[beta-web, beta-app]", "[beta-web]")));
        List<String> skipped = new ArrayList<>();
        TenantRegistry registry =
                TenantConfigUpdates.overlay(BASE, changes, (id, e) -> skipped.add(id));
        assertThat(registry.tenants()).extracting(TenantConfig::id).containsExactly("acme", "beta");
        assertThat(skipped).containsExactly("gamma");
    }
}
