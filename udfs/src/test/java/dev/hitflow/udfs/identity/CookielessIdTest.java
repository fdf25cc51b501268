package dev.hitflow.udfs.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class CookielessIdTest {
    static final byte[] KEY =
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @Test
    void sameDaySameIdNextDayAnother() {
        CookielessId ids = new CookielessId(new VisitorIdHasher("acme", "v1", KEY));
        LocalDate day = LocalDate.of(2026, 3, 10);
        String a = ids.visitorId(day, "site", "81.2.69.0", "UA");
        assertThat(ids.visitorId(day, "site", "81.2.69.0", "UA")).isEqualTo(a).hasSize(32);
        assertThat(
                        new CookielessId(new VisitorIdHasher("acme", "v1", KEY))
                                .visitorId(day, "site", "81.2.69.0", "UA"))
                .isEqualTo(a);
        assertThat(ids.visitorId(day.plusDays(1), "site", "81.2.69.0", "UA")).isNotEqualTo(a);
        assertThat(ids.visitorId(day, "site", "81.2.70.0", "UA")).isNotEqualTo(a);
        assertThat(ids.visitorId(day, "other", "81.2.69.0", "UA")).isNotEqualTo(a);
        assertThat(ids.visitorId(day, "site", "81.2.69.0", "UA2")).isNotEqualTo(a);
        assertThat(
                        new CookielessId(new VisitorIdHasher("globex", "v1", KEY))
                                .visitorId(day, "site", "81.2.69.0", "UA"))
                .isNotEqualTo(a);
    }
}
