package dev.hitflow.jobs.access;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hitflow.schemas.config.ReaderNames;
import dev.hitflow.schemas.config.TenantConfig;
import dev.hitflow.schemas.config.TenantRegistry;
import dev.hitflow.schemas.tables.HitflowTables;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Trino's file-based system access control rules ({@code rules.json}) from the tenant config: each
 * tenant's {@code readers} may SELECT every table of {@code analytics} with the row filter {@code
 * tenant_id = '<tenant>'}; the rights tables only {@code bi_admins}, who read everything without a
 * filter; nobody else reads anything in the catalog.
 *
 * <p>Trino applies the first rule that matches, per section, and denies when none does. So the
 * admins' rules come first, then a rule that gives nobody else the rights tables, then one rule per
 * reader. A user who reads several tenants gets one rule with all of them ({@code tenant_id IN
 * (...)}), since only the first matching rule would apply. Groups match through Trino's group
 * provider; a user in two reader groups gets the first group's rows only. Readers' rules name
 * tables without {@code $} so Iceberg's metadata tables ({@code hits$files}, {@code
 * hits$partitions}), which list every tenant's partitions and file paths, stay admins' only. Nobody
 * owns the schema (no DDL through Trino); a schema is visible to whoever may select from one of its
 * tables.
 */
public final class TrinoAccessRules {
    /** The tables holding data-subject requests and suppressions: for {@code bi_admins} only. */
    public static final List<String> RIGHTS_TABLES =
            List.of("rights_requests", "rights_queue", "suppressions");

    private static final String TENANT_TABLES = "[a-z0-9_]+";
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrinoAccessRules() {}

    /** The rules document for the catalog named {@code catalog}, pretty-printed. */
    public static String json(TenantRegistry tenants, String catalog) {
        try {
            return JSON.writeValueAsString(rules(tenants, catalog)) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode rules(TenantRegistry tenants, String catalog) {
        String catalogPattern = literal(catalog);
        String schema = literal(HitflowTables.NAMESPACE.level(0));
        Principals admins = Principals.of(tenants.biAdmins());
        Map<String, List<String>> tenantsByReader = new LinkedHashMap<>();
        for (TenantConfig tenant : tenants.tenants()) {
            for (String reader : tenant.readers()) {
                tenantsByReader.computeIfAbsent(reader, r -> new ArrayList<>()).add(tenant.id());
            }
        }
        Principals readers = Principals.of(List.copyOf(tenantsByReader.keySet()));

        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode catalogs = root.putArray("catalogs");
        for (ObjectNode who : admins.matchers()) {
            catalogs.add(who.put("catalog", catalogPattern).put("allow", "read-only"));
        }
        for (ObjectNode who : readers.matchers()) {
            catalogs.add(who.put("catalog", catalogPattern).put("allow", "read-only"));
        }

        root.putArray("schemas").addObject().put("owner", false);

        ArrayNode tables = root.putArray("tables");
        for (ObjectNode who : admins.matchers()) {
            tables.add(
                    who.put("catalog", catalogPattern)
                            .put("schema", schema)
                            .put("table", ".*")
                            .set("privileges", select()));
        }
        tables.addObject()
                .put("catalog", catalogPattern)
                .put("schema", schema)
                .put("table", String.join("|", RIGHTS_TABLES))
                .putArray("privileges");
        tenantsByReader.forEach(
                (reader, readable) ->
                        tables.add(
                                Principals.matcher(reader)
                                        .put("catalog", catalogPattern)
                                        .put("schema", schema)
                                        .put("table", TENANT_TABLES)
                                        .<ObjectNode>set("privileges", select())
                                        .put("filter", tenantFilter(readable))));

        ArrayNode queries = root.putArray("queries");
        for (ObjectNode who : admins.matchers()) {
            queries.add(who.set("allow", strings("execute", "kill", "view")));
        }
        queries.addObject().set("allow", strings("execute"));
        return root;
    }

    static String tenantFilter(List<String> tenantIds) {
        if (tenantIds.size() == 1) {
            return "tenant_id = '" + tenantIds.get(0) + "'";
        }
        return tenantIds.stream()
                .map(id -> "'" + id + "'")
                .collect(Collectors.joining(", ", "tenant_id IN (", ")"));
    }

    /** A pattern matching exactly {@code name} (names are letters, digits, '.', '_', '@', '-'). */
    static String literal(String name) {
        return name.replace(".", "\\.");
    }

    private static ArrayNode select() {
        return strings("SELECT");
    }

    private static ArrayNode strings(String... values) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (String value : values) {
            array.add(value);
        }
        return array;
    }

    /** Users and groups of one list, as the "user" / "group" patterns of rules. */
    private record Principals(List<String> users, List<String> groups) {
        static Principals of(List<String> names) {
            List<String> users = new ArrayList<>();
            List<String> groups = new ArrayList<>();
            for (String name : names) {
                (ReaderNames.isGroup(name) ? groups : users)
                        .add(literal(ReaderNames.bareName(name)));
            }
            return new Principals(users, groups);
        }

        /** One matcher for all users and one for all groups (those present). */
        List<ObjectNode> matchers() {
            List<ObjectNode> out = new ArrayList<>();
            if (!users.isEmpty()) {
                out.add(JsonNodeFactory.instance.objectNode().put("user", String.join("|", users)));
            }
            if (!groups.isEmpty()) {
                out.add(
                        JsonNodeFactory.instance
                                .objectNode()
                                .put("group", String.join("|", groups)));
            }
            return out;
        }

        static ObjectNode matcher(String name) {
            return JsonNodeFactory.instance
                    .objectNode()
                    .put(
                            ReaderNames.isGroup(name) ? "group" : "user",
                            literal(ReaderNames.bareName(name)));
        }
    }
}
