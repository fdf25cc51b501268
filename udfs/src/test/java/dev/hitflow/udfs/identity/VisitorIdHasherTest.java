package dev.hitflow.udfs.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.avro.IdKind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class VisitorIdHasherTest {
    private static final byte[] KEY =
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @Test
    void isAKnownHmacTruncatedTo128Bits() {
        // HMAC-SHA-256(key, "acme\0COOKIE\0cookie-1"), first 16 bytes, computed independently
        // with: printf 'acme\0COOKIE\0cookie-1' | openssl dgst -sha256 -hmac 0123...cdef
        String id = new VisitorIdHasher("acme", "v1", KEY).visitorId(IdKind.COOKIE, "cookie-1");
        assertThat(id).hasSize(32).matches("[0-9a-f]{32}");
        assertThat(id).isEqualTo("ecd683a1d66fbb38bce9456c484e2186");
    }

    @Test
    void sameIdentifierAndKeyGiveTheSameIdAcrossInstances() {
        assertThat(new VisitorIdHasher("acme", "v1", KEY).visitorId(IdKind.COOKIE, "c"))
                .isEqualTo(
                        new VisitorIdHasher("acme", "v1", KEY.clone())
                                .visitorId(IdKind.COOKIE, "c"));
    }

    @Test
    void tenantKindAndKeyEachChangeTheId() {
        String base = new VisitorIdHasher("acme", "v1", KEY).visitorId(IdKind.COOKIE, "c");
        byte[] other = KEY.clone();
        other[0] ^= 1;
        assertThat(new VisitorIdHasher("globex", "v1", KEY).visitorId(IdKind.COOKIE, "c"))
                .isNotEqualTo(base);
        assertThat(new VisitorIdHasher("acme", "v1", KEY).visitorId(IdKind.USER, "c"))
                .isNotEqualTo(base);
        assertThat(new VisitorIdHasher("acme", "v2", other).visitorId(IdKind.COOKIE, "c"))
                .isNotEqualTo(base);
        assertThat(Arrays.equals(KEY, other)).isFalse();
    }
}
