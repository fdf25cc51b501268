package dev.hitflow.schemas.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hitflow.schemas.avro.Consent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates the tenant configuration (YAML; JSON is accepted as YAML). Every problem is a
 * {@link ConfigException} whose message names the file, the tenant and the key.
 */
public final class TenantConfigLoader {
    /** Overrides the configuration's {@code keys_file}. */
    public static final String KEYS_FILE_ENV = "HITFLOW_KEYS_FILE";

    private static final Pattern TENANT_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Set<String> TOP_KEYS =
            Set.of("keys_file", "dead_letter_retention", "tenants", "bi_admins");
    private static final Set<String> TENANT_KEYS =
            Set.of(
                    "id",
                    "country",
                    "time_zone",
                    "sites",
                    "retention",
                    "ip_truncation",
                    "identified_visitors",
                    "default_consent",
                    "session",
                    "dedupe_window",
                    "max_hits_per_visitor_day",
                    "url_params_kept",
                    "form_keys_kept",
                    "property_keys_kept",
                    "bots",
                    "current_key",
                    "readers");
    private static final Set<String> RETENTION_KEYS = Set.of("detail_months", "aggregate_months");
    private static final Set<String> SESSION_KEYS =
            Set.of("inactivity_timeout", "max_length", "split_on_campaign", "split_at_midnight");
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private TenantConfigLoader() {}

    /** Loads the file, resolving {@code keys_file} against its folder; env overrides it. */
    public static TenantRegistry load(Path file) {
        return load(file, System.getenv(KEYS_FILE_ENV));
    }

    static TenantRegistry load(Path file, String keysFileOverride) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("tenant config " + file + " does not exist");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(
                    "tenant config " + file + " cannot be read: " + e.getMessage());
        }
        return parse(text, file.toString(), file.toAbsolutePath().getParent(), keysFileOverride);
    }

    /** Parses a configuration document; {@code base} resolves a relative keys_file. */
    public static TenantRegistry parse(
            String text, String origin, Path base, String keysFileOverride) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (IOException e) {
            throw new ConfigException(
                    "tenant config " + origin + " is not valid YAML: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(
                    "tenant config " + origin + " must be a mapping with 'tenants'");
        }
        String where = "tenant config " + origin;
        checkKeys(root, TOP_KEYS, where);
        Path keysFile = null;
        if (keysFileOverride != null && !keysFileOverride.isBlank()) {
            keysFile = Path.of(keysFileOverride);
        } else if (root.hasNonNull("keys_file")) {
            String value = text(root, "keys_file", where);
            keysFile = base == null ? Path.of(value) : base.resolve(value);
        }
        Duration deadLetterRetention =
                duration(
                        root,
                        "dead_letter_retention",
                        TenantRegistry.DEFAULT_DEAD_LETTER_RETENTION,
                        where);
        JsonNode tenantsNode = root.get("tenants");
        if (tenantsNode == null || !tenantsNode.isArray() || tenantsNode.isEmpty()) {
            throw new ConfigException(where + ": 'tenants' must be a non-empty list");
        }
        List<TenantConfig> tenants = new ArrayList<>();
        int index = 0;
        for (JsonNode node : tenantsNode) {
            tenants.add(tenant(node, where, index++));
        }
        return new TenantRegistry(
                tenants, keysFile, deadLetterRetention, readerNames(root, "bi_admins", where));
    }

    /**
     * Parses one tenant's document, as on the compacted topic {@code tenants.config} (the same keys
     * as one entry of {@code tenants} in the file).
     */
    public static TenantConfig parseTenant(String text, String origin) {
        JsonNode node;
        try {
            node = YAML.readTree(text);
        } catch (IOException e) {
            throw new ConfigException(
                    "tenant config " + origin + " is not valid YAML: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new ConfigException("tenant config " + origin + " must be a mapping");
        }
        return tenant(node, "tenant config " + origin, 0);
    }

    private static TenantConfig tenant(JsonNode node, String origin, int index) {
        if (!node.isObject()) {
            throw new ConfigException(origin + ": tenants[" + index + "] must be a mapping");
        }
        String id = node.hasNonNull("id") ? node.get("id").asText() : null;
        if (id == null || !TENANT_ID.matcher(id).matches()) {
            throw new ConfigException(
                    origin
                            + ": tenants["
                            + index
                            + "] needs an 'id' of lower-case letters, digits, '-' or '_'");
        }
        String where = origin + ", tenant '" + id + "'";
        checkKeys(node, TENANT_KEYS, where);

        String country = text(node, "country", where);
        if (country == null || !COUNTRIES.contains(country)) {
            throw new ConfigException(
                    where
                            + ": 'country' must be an ISO 3166-1 alpha-2 code such as FR, got "
                            + q(country));
        }
        String zoneText = text(node, "time_zone", where);
        ZoneId zone;
        try {
            zone = ZoneId.of(zoneText == null ? "" : zoneText);
        } catch (DateTimeException e) {
            throw new ConfigException(
                    where
                            + ": 'time_zone' must be an IANA zone such as Europe/Paris, got "
                            + q(zoneText));
        }
        List<String> sites = strings(node, "sites", where);
        if (sites.isEmpty()) {
            throw new ConfigException(where + ": 'sites' must list at least one site");
        }

        Retention retention = Retention.defaults();
        JsonNode retentionNode = node.get("retention");
        if (retentionNode != null && !retentionNode.isNull()) {
            String rwhere = where + ", 'retention'";
            if (!retentionNode.isObject()) {
                throw new ConfigException(rwhere + " must be a mapping");
            }
            checkKeys(retentionNode, RETENTION_KEYS, rwhere);
            retention =
                    new Retention(
                            positiveInt(
                                    retentionNode,
                                    "detail_months",
                                    Retention.DEFAULT_MONTHS,
                                    rwhere),
                            positiveInt(
                                    retentionNode,
                                    "aggregate_months",
                                    Retention.DEFAULT_MONTHS,
                                    rwhere));
        }

        boolean ipTruncation = bool(node, "ip_truncation", "DE".equals(country), where);
        boolean identified = bool(node, "identified_visitors", false, where);

        Consent defaultConsent = Consent.EXEMPT;
        String consentText = text(node, "default_consent", where);
        if (consentText != null) {
            try {
                defaultConsent = Consent.valueOf(consentText);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(
                        where
                                + ": 'default_consent' must be one of OPT_IN, OPT_OUT, EXEMPT, NO_CONSENT, got "
                                + q(consentText));
            }
        }

        Duration timeout = SessionSettings.DEFAULT_INACTIVITY_TIMEOUT;
        Duration maxLength = SessionSettings.DEFAULT_MAX_LENGTH;
        boolean splitOnCampaign = false;
        boolean splitAtMidnight = false;
        JsonNode sessionNode = node.get("session");
        if (sessionNode != null && !sessionNode.isNull()) {
            String swhere = where + ", 'session'";
            if (!sessionNode.isObject()) {
                throw new ConfigException(swhere + " must be a mapping");
            }
            checkKeys(sessionNode, SESSION_KEYS, swhere);
            timeout =
                    duration(
                            sessionNode,
                            "inactivity_timeout",
                            SessionSettings.DEFAULT_INACTIVITY_TIMEOUT,
                            swhere);
            maxLength =
                    duration(sessionNode, "max_length", SessionSettings.DEFAULT_MAX_LENGTH, swhere);
            if (maxLength.compareTo(SessionSettings.LONGEST_MAX_LENGTH) > 0) {
                throw new ConfigException(
                        swhere
                                + ": 'max_length' must not be longer than "
                                + SessionSettings.LONGEST_MAX_LENGTH);
            }
            if (timeout.compareTo(maxLength) > 0) {
                throw new ConfigException(
                        swhere + ": 'inactivity_timeout' must not be longer than 'max_length'");
            }
            splitOnCampaign = bool(sessionNode, "split_on_campaign", false, swhere);
            splitAtMidnight = bool(sessionNode, "split_at_midnight", false, swhere);
        }
        Duration dedupeWindow =
                duration(node, "dedupe_window", SessionSettings.DEFAULT_DEDUPE_WINDOW, where);
        if (dedupeWindow.compareTo(SessionSettings.LONGEST_DEDUPE_WINDOW) > 0) {
            throw new ConfigException(
                    where
                            + ": 'dedupe_window' must not be longer than "
                            + SessionSettings.LONGEST_DEDUPE_WINDOW);
        }
        int maxHitsPerVisitorDay =
                positiveInt(
                        node,
                        "max_hits_per_visitor_day",
                        SessionSettings.DEFAULT_MAX_HITS_PER_VISITOR_DAY,
                        where);
        if (maxHitsPerVisitorDay > SessionSettings.HIGHEST_MAX_HITS_PER_VISITOR_DAY) {
            throw new ConfigException(
                    where
                            + ": 'max_hits_per_visitor_day' must not be more than "
                            + SessionSettings.HIGHEST_MAX_HITS_PER_VISITOR_DAY);
        }
        SessionSettings session =
                new SessionSettings(
                        timeout,
                        maxLength,
                        splitOnCampaign,
                        splitAtMidnight,
                        dedupeWindow,
                        maxHitsPerVisitorDay);

        BotPolicy bots = BotPolicy.EXCLUDE;
        String botsText = text(node, "bots", where);
        if (botsText != null) {
            switch (botsText) {
                case "exclude" -> bots = BotPolicy.EXCLUDE;
                case "keep" -> bots = BotPolicy.KEEP;
                default ->
                        throw new ConfigException(
                                where + ": 'bots' must be 'exclude' or 'keep', got " + q(botsText));
            }
        }
        String currentKey = text(node, "current_key", where);
        if (currentKey == null) {
            currentKey = "v1";
        }
        return new TenantConfig(
                id,
                country,
                zone,
                sites,
                retention,
                ipTruncation,
                identified,
                defaultConsent,
                session,
                new LinkedHashSet<>(strings(node, "url_params_kept", where)),
                new LinkedHashSet<>(strings(node, "form_keys_kept", where)),
                new LinkedHashSet<>(strings(node, "property_keys_kept", where)),
                bots,
                currentKey,
                readerNames(node, "readers", where));
    }

    /** A list of BI principals (see {@link ReaderNames}), each listed once. */
    private static List<String> readerNames(JsonNode node, String key, String where) {
        List<String> names = strings(node, key, where);
        Set<String> seen = new LinkedHashSet<>();
        for (String name : names) {
            if (!ReaderNames.isValid(name)) {
                throw new ConfigException(
                        where + ": '" + key + "' has " + q(name) + "; " + ReaderNames.RULE);
            }
            if (!seen.add(name)) {
                throw new ConfigException(where + ": '" + key + "' lists " + q(name) + " twice");
            }
        }
        return names;
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String where) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            String key = fields.next().getKey();
            if (!allowed.contains(key)) {
                throw new ConfigException(
                        where
                                + ": unknown key '"
                                + key
                                + "' (known: "
                                + String.join(", ", sorted(allowed))
                                + ")");
            }
        }
    }

    private static List<String> sorted(Set<String> keys) {
        List<String> list = new ArrayList<>(keys);
        list.sort(null);
        return list;
    }

    private static String text(JsonNode node, String key, String where) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isValueNode() || value.isBoolean()) {
            throw new ConfigException(where + ": '" + key + "' must be a string");
        }
        return value.asText();
    }

    private static List<String> strings(JsonNode node, String key, String where) {
        JsonNode value = node.get(key);
        List<String> out = new ArrayList<>();
        if (value == null || value.isNull()) {
            return out;
        }
        if (!value.isArray()) {
            throw new ConfigException(where + ": '" + key + "' must be a list of strings");
        }
        for (JsonNode item : value) {
            if (!item.isTextual() || item.asText().isBlank()) {
                throw new ConfigException(
                        where + ": '" + key + "' must be a list of non-empty strings");
            }
            out.add(item.asText());
        }
        return out;
    }

    private static boolean bool(JsonNode node, String key, boolean fallback, String where) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw new ConfigException(
                    where + ": '" + key + "' must be true or false, got " + q(value.asText()));
        }
        return value.booleanValue();
    }

    private static int positiveInt(JsonNode node, String key, int fallback, String where) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isInt() || value.intValue() < 1) {
            throw new ConfigException(
                    where
                            + ": '"
                            + key
                            + "' must be a positive whole number, got "
                            + q(value.asText()));
        }
        return value.intValue();
    }

    private static Duration duration(JsonNode node, String key, Duration fallback, String where) {
        String text = text(node, key, where);
        if (text == null) {
            return fallback;
        }
        try {
            Duration d = Duration.parse(text);
            if (d.isNegative() || d.isZero()) {
                throw new ConfigException(
                        where + ": '" + key + "' must be positive, got " + q(text));
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new ConfigException(
                    where
                            + ": '"
                            + key
                            + "' must be an ISO-8601 duration such as PT30M, got "
                            + q(text));
        }
    }

    private static String q(String value) {
        return value == null ? "nothing" : "'" + value + "'";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
