package dev.hitflow.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hitflow.schemas.avro.Consent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantConfigLoaderTest {
    @TempDir Path dir;

    static TenantRegistry parse(String yaml) {
        return TenantConfigLoader.parse(yaml, "t.yaml", Path.of("/cfg"), null);
    }

    static String tenant(String extra) {
        return "tenants:\n  - id: acme\n    country: FR\n    time_zone: Europe/Paris\n    sites: [s1, s2]\n"
                + extra;
    }

    @Test
    void readsEveryKeyOfTheDesignExample() {
        TenantRegistry registry =
                parse(
                        """
                        keys_file: keys.yaml
                        tenants:
                          - id: acme
                            country: FR
                            time_zone: Europe/Paris
                            sites: [site-fr-1, site-fr-2]
                            retention: {detail_months: 25, aggregate_months: 37}
                            ip_truncation: false
                            identified_visitors: true
                            default_consent: OPT_IN
                            session: {inactivity_timeout: PT30M, max_length: PT24H}
                            url_params_kept: [q]
                            form_keys_kept: []
                            property_keys_kept: [plan]
                            bots: keep
                            current_key: v2
                            readers: [acme-analyst, group:acme-bi]
                        bi_admins: [platform-admin]
                        """);
        TenantConfig acme = registry.tenantForSite("site-fr-2").orElseThrow();
        assertThat(acme)
                .isEqualTo(
                        new TenantConfig(
                                "acme",
                                "FR",
                                ZoneId.of("Europe/Paris"),
                                List.of("site-fr-1", "site-fr-2"),
                                new Retention(25, 37),
                                false,
                                true,
                                Consent.OPT_IN,
                                new SessionSettings(Duration.ofMinutes(30), Duration.ofHours(24)),
                                Set.of("q"),
                                Set.of(),
                                Set.of("plan"),
                                BotPolicy.KEEP,
                                "v2",
                                List.of("acme-analyst", "group:acme-bi")));
        assertThat(registry.keysFile()).contains(Path.of("/cfg/keys.yaml"));
        assertThat(registry.biAdmins()).containsExactly("platform-admin");
    }

    @Test
    void defaultsFollowTheDesign() {
        TenantConfig fr = parse(tenant("")).tenant("acme").orElseThrow();
        assertThat(fr.retention()).isEqualTo(new Retention(25, 25));
        assertThat(fr.ipTruncation()).isFalse();
        assertThat(fr.identifiedVisitors()).isFalse();
        assertThat(fr.session()).isEqualTo(SessionSettings.defaults());
        assertThat(fr.bots()).isEqualTo(BotPolicy.EXCLUDE);
        assertThat(fr.currentKey()).isEqualTo("v1");
        assertThat(fr.readers()).isEmpty();
        TenantConfig de =
                parse(tenant("").replace("country: FR", "country: DE"))
                        .tenant("acme")
                        .orElseThrow();
        assertThat(de.ipTruncation()).as("IP truncation defaults on in DE").isTrue();
    }

    @Test
    void errorsNameTheFileTheTenantAndTheKey() {
        assertThatThrownBy(() -> parse(tenant("    colour: red\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "tenant config t.yaml, tenant 'acme': unknown key 'colour'");
        assertThatThrownBy(() -> parse(tenant("    session: {inactivity_timeout: 30m}\n")))
                .hasMessage(
                        "tenant config t.yaml, tenant 'acme', 'session': 'inactivity_timeout' must be an"
                                + " ISO-8601 duration such as PT30M, got '30m'");
        assertThatThrownBy(() -> parse(tenant("    retention: {detail_months: 0}\n")))
                .hasMessageContaining("'detail_months' must be a positive whole number, got '0'");
        assertThatThrownBy(() -> parse(tenant("    default_consent: MAYBE\n")))
                .hasMessageContaining("'default_consent' must be one of");
        assertThatThrownBy(() -> parse(tenant("").replace("country: FR", "country: XX")))
                .hasMessageContaining("'country' must be an ISO 3166-1 alpha-2 code");
        assertThatThrownBy(
                        () ->
                                parse(
                                        tenant(
                                                "    session: {inactivity_timeout: PT2H, max_length: PT1H}\n")))
                .hasMessageContaining("'inactivity_timeout' must not be longer than 'max_length'");
        assertThatThrownBy(() -> parse("tenants: []\n"))
                .hasMessage("tenant config t.yaml: 'tenants' must be a non-empty list");
        assertThatThrownBy(
                        () ->
                                parse(
                                        tenant("")
                                                + tenant("")
                                                        .replace("tenants:\n", "")
                                                        .replace("acme", "globex")))
                .hasMessage("site 's1' belongs to both tenant 'acme' and tenant 'globex'");
    }

    @Test
    void readsTheSessionOptionsTheDedupeWindowAndTheDailyCap() {
        SessionSettings session =
                parse(
                                tenant(
                                        """
                                            session: {inactivity_timeout: PT20M, max_length: PT12H,
                                                      split_on_campaign: true, split_at_midnight: true}
                                            dedupe_window: PT72H
                                            max_hits_per_visitor_day: 500
                                        """))
                        .tenant("acme")
                        .orElseThrow()
                        .session();
        assertThat(session)
                .isEqualTo(
                        new SessionSettings(
                                Duration.ofMinutes(20),
                                Duration.ofHours(12),
                                true,
                                true,
                                Duration.ofHours(72),
                                500));
        SessionSettings defaults = parse(tenant("")).tenant("acme").orElseThrow().session();
        assertThat(defaults.splitOnCampaign()).isFalse();
        assertThat(defaults.splitAtMidnight()).isFalse();
        assertThat(defaults.dedupeWindow()).isEqualTo(Duration.ofHours(24));
        assertThat(defaults.maxHitsPerVisitorDay()).isEqualTo(10_000);
    }

    @Test
    void refusesABadOrUnboundedDedupeWindowOrCap() {
        assertThatThrownBy(() -> parse(tenant("    dedupe_window: PT72H1S\n")))
                .hasMessage(
                        "tenant config t.yaml, tenant 'acme': 'dedupe_window' must not be longer"
                                + " than PT72H");
        assertThatThrownBy(() -> parse(tenant("    dedupe_window: 1d\n")))
                .hasMessage(
                        "tenant config t.yaml, tenant 'acme': 'dedupe_window' must be an ISO-8601"
                                + " duration such as PT30M, got '1d'");
        assertThatThrownBy(() -> parse(tenant("    dedupe_window: PT0S\n")))
                .hasMessageContaining("'dedupe_window' must be positive, got 'PT0S'");
        assertThatThrownBy(() -> parse(tenant("    max_hits_per_visitor_day: 0\n")))
                .hasMessageContaining(
                        "'max_hits_per_visitor_day' must be a positive whole number, got '0'");
        assertThatThrownBy(() -> parse(tenant("    max_hits_per_visitor_day: 250001\n")))
                .hasMessage(
                        "tenant config t.yaml, tenant 'acme': 'max_hits_per_visitor_day' must not"
                                + " be more than 250000");
        assertThatThrownBy(() -> parse(tenant("    session: {split_on_campaign: yes please}\n")))
                .hasMessage(
                        "tenant config t.yaml, tenant 'acme', 'session': 'split_on_campaign' must"
                                + " be true or false, got 'yes please'");
    }

    @Test
    void readersAndBiAdminsAreValidatedLikeEveryOtherKey() {
        assertThatThrownBy(() -> parse(tenant("    readers: analyst\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "tenant config t.yaml, tenant 'acme': 'readers' must be a list of strings");
        assertThatThrownBy(() -> parse(tenant("    readers: [\"ana lyst\"]\n")))
                .hasMessage(
                        "tenant config t.yaml, tenant 'acme': 'readers' has 'ana lyst'; a reader is"
                                + " a user name or group:NAME of letters, digits, '.', '_', '@' or"
                                + " '-'");
        assertThatThrownBy(() -> parse(tenant("    readers: [\"group:\"]\n")))
                .hasMessageContaining("'readers' has 'group:'");
        assertThatThrownBy(() -> parse(tenant("    readers: [\".*\"]\n")))
                .hasMessageContaining("'readers' has '.*'");
        assertThatThrownBy(() -> parse(tenant("    readers: [ana, ana]\n")))
                .hasMessage("tenant config t.yaml, tenant 'acme': 'readers' lists 'ana' twice");
        assertThatThrownBy(() -> parse("bi_admins: admin\n" + tenant("")))
                .hasMessage("tenant config t.yaml: 'bi_admins' must be a list of strings");
        assertThatThrownBy(() -> parse("bi_admins: [\"a(b\"]\n" + tenant("")))
                .hasMessageStartingWith("tenant config t.yaml: 'bi_admins' has 'a(b'");
        assertThatThrownBy(() -> parse("bi_admin: [root]\n" + tenant("")))
                .hasMessageStartingWith("tenant config t.yaml: unknown key 'bi_admin'");
        TenantRegistry registry =
                parse("bi_admins: [ops@example.com]\n" + tenant("    readers: [jane.doe]\n"));
        assertThat(registry.biAdmins()).containsExactly("ops@example.com");
        assertThat(registry.without("acme").biAdmins()).containsExactly("ops@example.com");
        assertThat(registry.tenant("acme").orElseThrow().readers()).containsExactly("jane.doe");
        assertThat(
                        TenantConfigLoader.parseTenant(
                                        tenant("    readers: [group:bi]\n")
                                                .replace("tenants:\n  - ", "")
                                                .replace("\n    ", "\n"),
                                        "topic")
                                .readers())
                .containsExactly("group:bi");
    }

    @Test
    void keyRingRefusesShortKeysAndNeverPrintsThem() throws Exception {
        Path keys = dir.resolve("keys.yaml");
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        Files.writeString(keys, "acme:\n  v1: " + shortKey + "\n");
        assertThatThrownBy(() -> KeyRing.load(keys))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "keys file "
                                + keys
                                + ": tenant 'acme', version 'v1' is 16 bytes; at least 32 are needed")
                .hasMessageNotContaining(shortKey);
        byte[] good = new byte[32];
        good[0] = 7;
        Files.writeString(
                keys,
                "acme:\n  v1: "
                        + Base64.getEncoder().encodeToString(good)
                        + "\n  v2: "
                        + Base64.getEncoder().encodeToString(new byte[40])
                        + "\n");
        KeyRing ring = KeyRing.load(keys);
        assertThat(ring.key("acme", "v1")).isEqualTo(good);
        assertThat(ring.liveKeys("acme")).containsOnlyKeys("v1", "v2");
        assertThat(ring.toString()).isEqualTo("KeyRing[acme]");
        assertThatThrownBy(() -> ring.key("globex", "v1"))
                .hasMessage("no key for tenant 'globex' in the keys file");
    }

    @Test
    void deadLetterRetentionIsDeploymentWideWithSevenDaysByDefault() {
        assertThat(parse(tenant("")).deadLetterRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(parse("dead_letter_retention: P2D\n" + tenant("")).deadLetterRetention())
                .isEqualTo(Duration.ofDays(2));
        assertThatThrownBy(() -> parse("dead_letter_retention: PT0S\n" + tenant("")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "tenant config t.yaml: 'dead_letter_retention' must be positive, got"
                                + " 'PT0S'");
    }

    @Test
    void theSuppressionKeyStandsBesideTheVersionsAndIsNoVersion() throws Exception {
        Base64.Encoder b64 = Base64.getEncoder();
        String v1 = b64.encodeToString("0123456789abcdef0123456789abcdef".getBytes());
        String sup = b64.encodeToString("suppression-key-0123456789abcdef".getBytes());
        Path keys = dir.resolve("keys.yaml");
        Files.writeString(keys, "acme:\n  v1: " + v1 + "\n  suppression: " + sup + "\n");
        KeyRing ring = KeyRing.load(keys);
        assertThat(ring.liveKeys("acme")).containsOnlyKeys("v1");
        assertThat(ring.suppressionKey("acme"))
                .isEqualTo("suppression-key-0123456789abcdef".getBytes());
        ring.requireCurrentKeys(parse(tenant("")));

        Files.writeString(keys, "acme:\n  v1: " + v1 + "\n");
        assertThatThrownBy(() -> KeyRing.load(keys).requireCurrentKeys(parse(tenant(""))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "keys file " + keys + ": tenant 'acme' has no 'suppression' key. Add one");
    }
}
