package dev.hitflow.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hitflow.schemas.avro.CartAction;
import dev.hitflow.schemas.avro.Consent;
import dev.hitflow.schemas.avro.DeadLetterReason;
import dev.hitflow.schemas.avro.HitType;
import dev.hitflow.schemas.avro.RawHit;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonHitDecoderTest {
    private final JsonHitDecoder decoder = new JsonHitDecoder();

    @Test
    void decodesEveryFieldOfTheContract() throws Exception {
        RawHit hit =
                decoder.decode(
                        """
                        {"hit_id":"h1","received_at":1773136800000,"client_ts":1773136799000,
                         "site_id":"s","hit_type":"CART","ip":"81.2.69.142","user_agent":"UA",
                         "cookie_id":"c","mobile_id":"m","user_id":"u","consent":"EXEMPT",
                         "url":"https://x/p?q=1","page":"/p","referrer":"https://r/",
                         "event":{"category":"video","action":"play","label":"l","value":2.5},
                         "cart":{"action":"PURCHASE","product_id":"sku","quantity":2,
                                 "price_minor":1999,"currency":"EUR","order_id":"o1"},
                         "gps":{"lat":48.85,"lon":2.35},"form":{"f":"v"},"properties":{"p":"v"},
                         "unknown_key":"ignored"}""");
        assertThat(hit.getHitId()).isEqualTo("h1");
        assertThat(hit.getReceivedAt()).isEqualTo(1773136800000L);
        assertThat(hit.getClientTs()).isEqualTo(1773136799000L);
        assertThat(hit.getHitType()).isEqualTo(HitType.CART);
        assertThat(hit.getConsent()).isEqualTo(Consent.EXEMPT);
        assertThat(hit.getEvent().getValue()).isEqualTo(2.5);
        assertThat(hit.getCart().getAction()).isEqualTo(CartAction.PURCHASE);
        assertThat(hit.getCart().getPriceMinor()).isEqualTo(1999L);
        assertThat(hit.getCart().getQuantity()).isEqualTo(2);
        assertThat(hit.getGps().getLat()).isEqualTo(48.85);
        assertThat(hit.getForm()).isEqualTo(Map.of("f", "v"));
        assertThat(hit.getProperties()).isEqualTo(Map.of("p", "v"));
    }

    @Test
    void missingOptionalKeysAreNull() throws Exception {
        RawHit hit =
                decoder.decode(
                        "{\"hit_id\":\"h\",\"received_at\":1,\"site_id\":\"s\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"::1\"}");
        assertThat(hit.getCookieId()).isNull();
        assertThat(hit.getConsent()).isNull();
        assertThat(hit.getCart()).isNull();
        assertThat(hit.getProperties()).isNull();
    }

    @Test
    void eachProblemHasItsReasonAndNamesTheFieldNotTheValue() {
        assertReason("{\"hit_id\":", DeadLetterReason.MALFORMED_JSON, "not a JSON object");
        assertReason("[1,2]", DeadLetterReason.MALFORMED_JSON, "not a JSON object");
        assertReason(
                "{\"hit_id\":\"h\",\"received_at\":1,\"site_id\":\"s\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"1.2.3.4\"} {}",
                DeadLetterReason.MALFORMED_JSON,
                "not a JSON object");
        assertReason(
                "{\"hit_id\":\"h\",\"received_at\":null,\"site_id\":\"s\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"1.2.3.4\"}",
                DeadLetterReason.MISSING_FIELD,
                "received_at is missing");
        assertReason(
                "{\"hit_id\":\"h\",\"received_at\":1,\"site_id\":\"\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"1.2.3.4\"}",
                DeadLetterReason.MISSING_FIELD,
                "site_id is empty");
        assertReason(
                "{\"hit_id\":7,\"received_at\":1,\"site_id\":\"s\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"1.2.3.4\"}",
                DeadLetterReason.BAD_FIELD,
                "hit_id must be a string");
        assertReason(
                "{\"received_at\":1,\"site_id\":\"s\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"1.2.3.4\"}",
                DeadLetterReason.MISSING_FIELD,
                "hit_id is missing");
        assertReason(
                "{\"hit_id\":\"h\",\"received_at\":\"yesterday\",\"site_id\":\"s\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"1.2.3.4\"}",
                DeadLetterReason.BAD_TIMESTAMP,
                "received_at must be a whole number");
        assertReason(
                "{\"hit_id\":\"h\",\"received_at\":1,\"site_id\":\"s\",\"hit_type\":\"CLICK\",\"ip\":\"1.2.3.4\"}",
                DeadLetterReason.BAD_FIELD,
                "hit_type has an unknown value");
        assertReason(
                "{\"hit_id\":\"h\",\"received_at\":1,\"site_id\":\"s\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"1.2.3.4\",\"gps\":{\"lat\":91.5,\"lon\":2}}",
                DeadLetterReason.BAD_FIELD,
                "gps is out of range");
    }

    @Test
    void bytesDecodeAsTheirTextDoes() throws Exception {
        String line =
                "{\"hit_id\":\"h\u00e9\",\"received_at\":1,\"site_id\":\"s\",\"hit_type\":\"PAGE_VIEW\","
                        + "\"ip\":\"::1\",\"page\":\"/caf\u00e9/\u65e5\u672c\",\"properties\":{\"k\":\"\u20ac\"}}";
        assertThat(decoder.decode(line.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(decoder.decode(line));
        assertThat(decoder.decode(line.getBytes(StandardCharsets.UTF_8)).getPage())
                .isEqualTo("/caf\u00e9/\u65e5\u672c");
    }

    @Test
    void bytesThatAreNotUtf8AreMalformed() {
        byte[] line =
                "{\"hit_id\":\"h\",\"received_at\":1,\"site_id\":\"s\",\"hit_type\":\"PAGE_VIEW\",\"ip\":\"::1\",\"page\":\"/x\"}"
                        .getBytes(StandardCharsets.UTF_8);
        line[line.length - 4] = (byte) 0xc3; // a lead byte followed by '"': not UTF-8
        assertThatThrownBy(() -> decoder.decode(line))
                .isInstanceOfSatisfying(
                        JsonHitDecoder.DecodeException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.MALFORMED_JSON));
    }

    private void assertReason(String line, DeadLetterReason reason, String detail) {
        assertThatThrownBy(() -> decoder.decode(line))
                .isInstanceOfSatisfying(
                        JsonHitDecoder.DecodeException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo(reason);
                            assertThat(e.getMessage()).isEqualTo(detail);
                        });
        assertThatThrownBy(() -> decoder.decode(line.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(
                        JsonHitDecoder.DecodeException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo(reason);
                            assertThat(e.getMessage()).isEqualTo(detail);
                        });
    }
}
