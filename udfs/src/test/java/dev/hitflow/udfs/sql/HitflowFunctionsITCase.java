package dev.hitflow.udfs.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hitflow.schemas.avro.IdKind;
import dev.hitflow.udfs.identity.VisitorIdHasher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every enrichment called from Flink SQL, with exact results. */
class HitflowFunctionsITCase {
    static final byte[] KEY =
            "acme-test-key-0123456789abcdef!!".getBytes(StandardCharsets.US_ASCII);
    static TableEnvironment sql;

    @BeforeAll
    static void setUp(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("keys.yaml");
        Files.writeString(keys, "acme:\n  v1: " + Base64.getEncoder().encodeToString(KEY) + "\n");
        sql = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        sql.getConfig().set("parallelism.default", "1");
        sql.getConfig().set("pipeline.global-job-parameters", "hitflow.keys.file:" + keys);
        HitflowFunctions.registerAll(sql);
    }

    static List<Object> one(String expression) throws Exception {
        List<Object> out = new ArrayList<>();
        try (CloseableIterator<Row> rows = sql.executeSql("SELECT " + expression).collect()) {
            Row row = rows.next();
            for (int i = 0; i < row.getArity(); i++) {
                out.add(row.getField(i));
            }
        }
        return out;
    }

    @Test
    void ip() throws Exception {
        assertThat(
                        one(
                                "hitflow_truncate_ip('81.2.69.142'), hitflow_truncate_ip('2001:480:10::1'), hitflow_truncate_ip('x')"))
                .containsExactly("81.2.69.0", "2001:480:10::", null);
    }

    @Test
    void geo() throws Exception {
        assertThat(
                        one(
                                "hitflow_geo_country('2001:480:10::1'), hitflow_geo_region('2001:480:10::1'),"
                                        + " hitflow_geo_city('2001:480:10::1'),"
                                        + " hitflow_geo_city(hitflow_truncate_ip('175.16.199.7'))"))
                .containsExactly("US", "CA", "San Diego", "Changchun");
    }

    @Test
    void userAgent() throws Exception {
        String ua =
                "'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML,"
                        + " like Gecko) Version/17.4 Mobile/15E148 Safari/604.1'";
        assertThat(
                        one(
                                "hitflow_ua_device_class("
                                        + ua
                                        + "), hitflow_ua_os_name("
                                        + ua
                                        + "), hitflow_ua_agent_name("
                                        + ua
                                        + "), hitflow_ua_is_bot("
                                        + ua
                                        + "), hitflow_ua_is_bot('Googlebot/2.1 (+http://www.google.com/bot.html)')"))
                .containsExactly("Phone", "iOS", "Safari", "false", "true");
    }

    @Test
    void urls() throws Exception {
        assertThat(
                        one(
                                "hitflow_scrub_url('https://x.example/s?q=a&email=b%40c.example&p=2#f', 'q, p'),"
                                        + " hitflow_source_class('https://www.bing.com/search?q=x', 'x.example'),"
                                        + " hitflow_referrer_host('https://www.bing.com/search?q=x')"))
                .containsExactly("https://x.example/s?q=a&p=2", "search", "www.bing.com");
    }

    @Test
    void geohashAndVisitorId() throws Exception {
        assertThat(
                        one(
                                "hitflow_geohash(CAST(48.8566 AS DOUBLE), CAST(2.3522 AS DOUBLE), 5),"
                                        + " hitflow_visitor_id('acme', 'COOKIE', 'cookie-1', 'v1')"))
                .containsExactly(
                        "u09tv",
                        new VisitorIdHasher("acme", "v1", KEY)
                                .visitorId(IdKind.COOKIE, "cookie-1"));
    }
}
