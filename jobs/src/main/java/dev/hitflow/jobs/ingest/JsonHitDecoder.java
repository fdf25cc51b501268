package dev.hitflow.jobs.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hitflow.schemas.avro.Cart;
import dev.hitflow.schemas.avro.CartAction;
import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.DeadLetterReason;
import dev.hitflow.schemas.avro.Event;
import dev.hitflow.schemas.avro.Gps;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.RawHit;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decodes one JSON Lines record into a {@link RawHit}: keys are the field names of raw-hit.avsc, a
 * missing optional key means null, timestamps are epoch milliseconds. Unknown keys are ignored (and
 * so dropped). Pure; one instance per operator.
 */
public final class JsonHitDecoder {
    private final ObjectMapper mapper =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);

    /** Thrown with a reason code and a detail that names a field, never a value. */
    public static final class DecodeException extends Exception {
        private static final long serialVersionUID = 1L;
        private final DeadLetterReason reason;

        DecodeException(DeadLetterReason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }

        public DeadLetterReason reason() {
            return reason;
        }
    }

    public RawHit decode(String line) throws DecodeException {
        JsonNode root;
        try {
            root = mapper.readTree(line);
        } catch (JsonProcessingException e) {
            throw new DecodeException(DeadLetterReason.MALFORMED_JSON, "not a JSON object");
        }
        if (root == null || !root.isObject()) {
            throw new DecodeException(DeadLetterReason.MALFORMED_JSON, "not a JSON object");
        }
        RawHit.Builder hit = RawHit.newBuilder();
        hit.setHitId(requiredText(root, "hit_id"));
        hit.setReceivedAt(requiredLong(root, "received_at"));
        hit.setClientTs(optionalLong(root, "client_ts"));
        hit.setSiteId(requiredText(root, "site_id"));
        hit.setHitType(enumValue(HitType.class, requiredText(root, "hit_type"), "hit_type"));
        hit.setIp(requiredText(root, "ip"));
        hit.setUserAgent(optionalText(root, "user_agent"));
        hit.setCookieId(optionalText(root, "cookie_id"));
        hit.setMobileId(optionalText(root, "mobile_id"));
        hit.setUserId(optionalText(root, "user_id"));
        String consent = optionalText(root, "consent");
        hit.setConsent(consent == null ? null : enumValue(Consent.class, consent, "consent"));
        hit.setUrl(optionalText(root, "url"));
        hit.setPage(optionalText(root, "page"));
        hit.setReferrer(optionalText(root, "referrer"));
        hit.setEvent(event(root.get("event")));
        hit.setCart(cart(root.get("cart")));
        hit.setGps(gps(root.get("gps")));
        hit.setForm(stringMap(root.get("form"), "form"));
        hit.setProperties(stringMap(root.get("properties"), "properties"));
        return hit.build();
    }

    private static Event event(JsonNode node) throws DecodeException {
        if (absent(node)) {
            return null;
        }
        requireObject(node, "event");
        return Event.newBuilder()
                .setCategory(requiredText(node, "category", "event.category"))
                .setAction(requiredText(node, "action", "event.action"))
                .setLabel(optionalText(node, "label"))
                .setValue(optionalDouble(node, "value", "event.value"))
                .build();
    }

    private static Cart cart(JsonNode node) throws DecodeException {
        if (absent(node)) {
            return null;
        }
        requireObject(node, "cart");
        return Cart.newBuilder()
                .setAction(
                        enumValue(
                                CartAction.class,
                                requiredText(node, "action", "cart.action"),
                                "cart.action"))
                .setProductId(requiredText(node, "product_id", "cart.product_id"))
                .setQuantity((int) requiredLong(node, "quantity", "cart.quantity"))
                .setPriceMinor(requiredLong(node, "price_minor", "cart.price_minor"))
                .setCurrency(requiredText(node, "currency", "cart.currency"))
                .setOrderId(optionalText(node, "order_id"))
                .build();
    }

    private static Gps gps(JsonNode node) throws DecodeException {
        if (absent(node)) {
            return null;
        }
        requireObject(node, "gps");
        Double lat = optionalDouble(node, "lat", "gps.lat");
        Double lon = optionalDouble(node, "lon", "gps.lon");
        if (lat == null || lon == null) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, "gps needs lat and lon");
        }
        if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
            throw new DecodeException(DeadLetterReason.BAD_FIELD, "gps is out of range");
        }
        return Gps.newBuilder().setLat(lat).setLon(lon).build();
    }

    private static Map<String, String> stringMap(JsonNode node, String field)
            throws DecodeException {
        if (absent(node)) {
            return null;
        }
        requireObject(node, field);
        Map<String, String> map = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw new DecodeException(
                        DeadLetterReason.BAD_FIELD, field + " values must be strings");
            }
            map.put(e.getKey(), e.getValue().asText());
        }
        return map;
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull();
    }

    private static void requireObject(JsonNode node, String field) throws DecodeException {
        if (!node.isObject()) {
            throw new DecodeException(DeadLetterReason.BAD_FIELD, field + " must be an object");
        }
    }

    private static String requiredText(JsonNode root, String field) throws DecodeException {
        return requiredText(root, field, field);
    }

    private static String requiredText(JsonNode root, String field, String path)
            throws DecodeException {
        JsonNode node = root.get(field);
        if (absent(node)) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, path + " is missing");
        }
        if (!node.isTextual()) {
            throw new DecodeException(DeadLetterReason.BAD_FIELD, path + " must be a string");
        }
        if (node.asText().isEmpty()) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, path + " is empty");
        }
        return node.asText();
    }

    private static String optionalText(JsonNode root, String field) throws DecodeException {
        JsonNode node = root.get(field);
        if (absent(node)) {
            return null;
        }
        if (!node.isTextual()) {
            throw new DecodeException(DeadLetterReason.BAD_FIELD, field + " must be a string");
        }
        return node.asText();
    }

    private static long requiredLong(JsonNode root, String field) throws DecodeException {
        return requiredLong(root, field, field);
    }

    private static long requiredLong(JsonNode root, String field, String path)
            throws DecodeException {
        JsonNode node = root.get(field);
        if (absent(node)) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, path + " is missing");
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new DecodeException(
                    field.equals("received_at")
                            ? DeadLetterReason.BAD_TIMESTAMP
                            : DeadLetterReason.BAD_FIELD,
                    path + " must be a whole number");
        }
        return node.longValue();
    }

    private static Long optionalLong(JsonNode root, String field) throws DecodeException {
        JsonNode node = root.get(field);
        if (absent(node)) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new DecodeException(
                    DeadLetterReason.BAD_FIELD, field + " must be a whole number");
        }
        return node.longValue();
    }

    private static Double optionalDouble(JsonNode root, String field, String path)
            throws DecodeException {
        JsonNode node = root.get(field);
        if (absent(node)) {
            return null;
        }
        if (!node.isNumber()) {
            throw new DecodeException(DeadLetterReason.BAD_FIELD, path + " must be a number");
        }
        return node.doubleValue();
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String value, String field)
            throws DecodeException {
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw new DecodeException(DeadLetterReason.BAD_FIELD, field + " has an unknown value");
        }
    }
}
