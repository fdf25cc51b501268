package dev.hitflow.jobs.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
    private final ObjectMapper mapper = new ObjectMapper();

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
        return decode(line, null);
    }

    /**
     * The same from the line's UTF-8 bytes, as the file source reads them (Jackson's byte parser:
     * no String of the whole line); bytes that are not UTF-8 make the line MALFORMED_JSON.
     */
    public RawHit decode(byte[] line) throws DecodeException {
        return decode(null, line);
    }

    private RawHit decode(String text, byte[] bytes) throws DecodeException {
        // A streaming pass over the top level (no tree for the whole record: decoding is on the
        // hot path); nested objects, which are rare, are read as small trees.
        String hitId = null;
        Long receivedAt = null;
        boolean receivedAtPresent = false;
        // Setters, not Avro's builder: its build() deep-copies a default for every unset field.
        RawHit hit = new RawHit();
        boolean siteSeen = false;
        boolean typeSeen = false;
        boolean ipSeen = false;
        try (JsonParser p =
                text != null
                        ? mapper.getFactory().createParser(text)
                        : mapper.getFactory().createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new DecodeException(DeadLetterReason.MALFORMED_JSON, "not a JSON object");
            }
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "hit_id" -> hitId = text(p, value, field);
                    case "received_at" -> {
                        receivedAtPresent = value != JsonToken.VALUE_NULL;
                        receivedAt = longValue(p, value, field, DeadLetterReason.BAD_TIMESTAMP);
                    }
                    case "client_ts" ->
                            hit.setClientTs(longValue(p, value, field, DeadLetterReason.BAD_FIELD));
                    case "site_id" -> {
                        hit.setSiteId(text(p, value, field));
                        siteSeen = hit.getSiteId() != null;
                    }
                    case "hit_type" -> {
                        String type = text(p, value, field);
                        if (type != null) {
                            hit.setHitType(enumValue(HitType.class, type, field));
                            typeSeen = true;
                        }
                    }
                    case "ip" -> {
                        hit.setIp(text(p, value, field));
                        ipSeen = hit.getIp() != null;
                    }
                    case "user_agent" -> hit.setUserAgent(text(p, value, field));
                    case "cookie_id" -> hit.setCookieId(text(p, value, field));
                    case "mobile_id" -> hit.setMobileId(text(p, value, field));
                    case "user_id" -> hit.setUserId(text(p, value, field));
                    case "consent" -> {
                        String consent = text(p, value, field);
                        hit.setConsent(
                                consent == null ? null : enumValue(Consent.class, consent, field));
                    }
                    case "url" -> hit.setUrl(text(p, value, field));
                    case "page" -> hit.setPage(text(p, value, field));
                    case "referrer" -> hit.setReferrer(text(p, value, field));
                    case "event" -> hit.setEvent(event(tree(p, value)));
                    case "cart" -> hit.setCart(cart(tree(p, value)));
                    case "gps" -> hit.setGps(gps(tree(p, value)));
                    case "form" -> hit.setForm(stringMap(tree(p, value), field));
                    case "properties" -> hit.setProperties(stringMap(tree(p, value), field));
                    default -> p.skipChildren(); // unknown keys are ignored, and so dropped
                }
            }
            if (token != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new DecodeException(DeadLetterReason.MALFORMED_JSON, "not a JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new DecodeException(DeadLetterReason.MALFORMED_JSON, "not a JSON object");
        } catch (java.io.IOException e) {
            throw new DecodeException(DeadLetterReason.MALFORMED_JSON, "not a JSON object");
        }
        // required fields, in the order of the contract
        hit.setHitId(required(hitId, "hit_id"));
        if (!receivedAtPresent) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, "received_at is missing");
        }
        hit.setReceivedAt(receivedAt);
        if (!siteSeen) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, "site_id is missing");
        }
        if (!typeSeen) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, "hit_type is missing");
        }
        if (!ipSeen) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, "ip is missing");
        }
        requireNonEmpty(hit.getSiteId(), "site_id");
        requireNonEmpty(hit.getIp(), "ip");
        return hit;
    }

    private static String required(String value, String field) throws DecodeException {
        if (value == null) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, field + " is missing");
        }
        requireNonEmpty(value, field);
        return value;
    }

    private static void requireNonEmpty(String value, String field) throws DecodeException {
        if (value.isEmpty()) {
            throw new DecodeException(DeadLetterReason.MISSING_FIELD, field + " is empty");
        }
    }

    private static String text(JsonParser p, JsonToken value, String field)
            throws DecodeException, java.io.IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            p.skipChildren();
            throw new DecodeException(DeadLetterReason.BAD_FIELD, field + " must be a string");
        }
        return p.getText();
    }

    private static Long longValue(
            JsonParser p, JsonToken value, String field, DeadLetterReason reason)
            throws DecodeException, java.io.IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_NUMBER_INT
                || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            p.skipChildren();
            throw new DecodeException(reason, field + " must be a whole number");
        }
        return p.getLongValue();
    }

    private JsonNode tree(JsonParser p, JsonToken value) throws java.io.IOException {
        return value == JsonToken.VALUE_NULL ? null : mapper.readTree(p);
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
