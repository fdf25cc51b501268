package dev.hitflow.udfs.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hitflow.schemas.avro.IdKind;
import dev.hitflow.schemas.config.ConfigException;
import dev.hitflow.schemas.config.KeyRing;
import dev.hitflow.schemas.config.TenantRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A data-subject request: a tenant and a raw identifier (cookie ID, mobile ID or login). The raw
 * identifier lives only in this object while the run computes the visitor IDs; it is never logged,
 * printed, stored or put in a message.
 */
public record RightsRequest(
        String requestId, String tenantId, Type type, IdKind kind, String identifier) {
    /** What the data subject asked for. */
    public enum Type {
        ACCESS,
        ERASURE,
        OPT_OUT
    }

    @Override
    public String toString() {
        return "RightsRequest[" + requestId + ", " + tenantId + ", " + type + ", " + kind + "]";
    }

    /** The visitor ID under every live key version of the tenant: version -> ID. */
    public Map<String, String> visitorIds(KeyRing keys) {
        Map<String, String> ids = new LinkedHashMap<>();
        keys.liveKeys(tenantId)
                .forEach(
                        (version, key) ->
                                ids.put(
                                        version,
                                        new VisitorIdHasher(tenantId, version, key)
                                                .visitorId(kind, identifier)));
        return ids;
    }

    /**
     * The identifier's suppression ID under the tenant's suppression key (version-independent: the
     * opt-out registry's key); a {@link ConfigException} when the tenant has none.
     */
    public String suppressionId(KeyRing keys) {
        return new VisitorIdHasher(tenantId, KeyRing.SUPPRESSION, keys.suppressionKey(tenantId))
                .suppressionId(kind, identifier);
    }

    /**
     * Reads and checks a JSON Lines file of requests ({"request_id", "tenant_id", "type":
     * ACCESS|ERASURE|OPT_OUT, "kind": COOKIE|MOBILE|USER, "identifier"}); any bad line stops the
     * run before anything changes, with a message naming the file and line (never the value).
     */
    public static List<RightsRequest> readAll(Path file, TenantRegistry tenants) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("requests file " + file + " does not exist");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new ConfigException("requests file " + file + " cannot be read");
        }
        ObjectMapper json = new ObjectMapper();
        List<RightsRequest> requests = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String where = "requests file " + file + ", line " + (i + 1);
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (IOException e) {
                throw new ConfigException(where + ": not a JSON object");
            }
            if (node == null || !node.isObject()) {
                throw new ConfigException(where + ": not a JSON object");
            }
            RightsRequest r = of(node, where, tenants);
            if (!seen.add(r.requestId())) {
                throw new ConfigException(
                        where + ": request_id '" + r.requestId() + "' is repeated");
            }
            requests.add(r);
        }
        return requests;
    }

    /**
     * One request from its JSON text, as on the topic {@code rights.requests}; a {@link
     * ConfigException} naming {@code where} and the key (never the identifier) when it is bad. The
     * tenant is not checked here: the stream job checks it against its key ring.
     */
    public static RightsRequest parse(String json, String where) {
        JsonNode node;
        try {
            node = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new ConfigException(where + ": not a JSON object");
        }
        if (node == null || !node.isObject()) {
            throw new ConfigException(where + ": not a JSON object");
        }
        return of(node, where, null);
    }

    static RightsRequest of(JsonNode node, String where, TenantRegistry tenants) {
        String id = text(node, "request_id", where);
        String tenant = text(node, "tenant_id", where);
        if (tenants != null && tenants.tenant(tenant).isEmpty()) {
            throw new ConfigException(where + ": unknown tenant '" + tenant + "'");
        }
        Type type;
        try {
            type = Type.valueOf(text(node, "type", where));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": 'type' must be ACCESS, ERASURE or OPT_OUT");
        }
        IdKind kind;
        try {
            kind = IdKind.valueOf(text(node, "kind", where));
        } catch (IllegalArgumentException e) {
            kind = null;
        }
        if (kind == null || kind == IdKind.COOKIELESS) {
            throw new ConfigException(where + ": 'kind' must be COOKIE, MOBILE or USER");
        }
        String identifier = text(node, "identifier", where);
        return new RightsRequest(id, tenant, type, kind, identifier);
    }

    private static String text(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new ConfigException(where + ": '" + key + "' is missing or empty");
        }
        return v.asText();
    }
}
