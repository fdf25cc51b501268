package dev.hitflow.jobs.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrafficGeneratorTest {
    static final List<String> SITES = List.of("a", "b", "c");
    static final long START = 1_774_598_400_000L;

    static String generate(long seed, long n) throws Exception {
        StringWriter out = new StringWriter();
        new TrafficGenerator(seed, SITES, START).write(n, out);
        return out.toString();
    }

    @Test
    void isDeterministicForASeed() throws Exception {
        assertThat(generate(7, 5_000)).isEqualTo(generate(7, 5_000));
        assertThat(generate(7, 5_000)).isNotEqualTo(generate(8, 5_000));
    }

    /**
     * However many hits, they fill the generator's three days evenly: before, sessions started only
     * when one of 50 open ones ended, so sessions waiting out a long gap held back the others and 2
     * million hits spread over 84 days.
     */
    @Test
    void anyCountSpansThreeDaysEvenly() throws Exception {
        for (int n : new int[] {20_000, 200_000}) {
            long[] perDay = new long[4];
            long last = Long.MIN_VALUE;
            for (JsonNode node : parsed(generate(11, n))) {
                long at = node.path("received_at").asLong(-1);
                if (!node.has("site_id") || at < START) {
                    continue;
                }
                last = Math.max(last, at);
                perDay[(int) Math.min(3, (at - START) / Duration.ofDays(1).toMillis())]++;
            }
            long hits = perDay[0] + perDay[1] + perDay[2] + perDay[3];
            assertThat(last - START)
                    .as("span of %,d hits", n)
                    .isBetween(
                            TrafficGenerator.SPAN_MS - Duration.ofHours(2).toMillis(),
                            TrafficGenerator.SPAN_MS + Duration.ofHours(8).toMillis());
            for (int day = 0; day < 3; day++) {
                assertThat(perDay[day] * 1.0 / hits)
                        .as("share of day %d of %,d hits", day, n)
                        .isBetween(0.28, 0.39);
            }
            assertThat(perDay[3] * 1.0 / hits).as("share after the span").isLessThan(0.02);
        }
    }

    @Test
    void writesExactlyNLinesWithDisorderWithinTenSecondsAndInvalidOnes() throws Exception {
        StringWriter out = new StringWriter();
        Map<TrafficGenerator.Invalid, Long> invalid =
                new TrafficGenerator(3, SITES, START).write(50_000, out);
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(50_000);
        assertThat(invalid.keySet())
                .contains(
                        TrafficGenerator.Invalid.MALFORMED_JSON,
                        TrafficGenerator.Invalid.MISSING_FIELD,
                        TrafficGenerator.Invalid.UNKNOWN_SITE,
                        TrafficGenerator.Invalid.BAD_TIMESTAMP,
                        TrafficGenerator.Invalid.BAD_IP);
        long maxSeen = Long.MIN_VALUE;
        long worstDisorder = 0;
        Set<String> consents = new HashSet<>();
        int cookieless = 0;
        int valid = 0;
        for (JsonNode node : parsed(out.toString())) {
            if (!node.has("site_id") || !SITES.contains(node.get("site_id").asText())) {
                continue;
            }
            long at = node.get("received_at").asLong();
            if (at < START) {
                continue;
            }
            valid++;
            if (maxSeen != Long.MIN_VALUE) {
                worstDisorder = Math.max(worstDisorder, maxSeen - at);
            }
            maxSeen = Math.max(maxSeen, at);
            consents.add(node.path("consent").asText("default"));
            if (!node.has("cookie_id") && !node.has("mobile_id") && !node.has("user_id")) {
                cookieless++;
            }
        }
        assertThat(worstDisorder).isBetween(1L, 10_000L);
        assertThat(consents)
                .containsExactlyInAnyOrder("OPT_IN", "EXEMPT", "OPT_OUT", "NO_CONSENT", "default");
        assertThat(cookieless).isPositive();
        long invalidTotal = invalid.values().stream().mapToLong(Long::longValue).sum();
        assertThat(valid + invalidTotal)
                .isGreaterThanOrEqualTo(
                        50_000 - invalid.getOrDefault(TrafficGenerator.Invalid.TOO_LARGE, 0L));
    }

    @Test
    void realisticSpreadGivesEachVisitorItsOwnPublicAddressAndManyAgents() throws Exception {
        Set<String> addresses = new HashSet<>();
        Set<String> agents = new HashSet<>();
        int hits = 0;
        int robots = 0;
        for (JsonNode node : realisticHits(5, 100_000)) {
            hits++;
            String ip = node.get("ip").asText();
            addresses.add(ip);
            String agent = node.get("user_agent").asText();
            agents.add(agent);
            robots += TrafficGenerator.ROBOTS.contains(agent) ? 1 : 0;
            java.net.InetAddress address = java.net.InetAddress.getByName(ip);
            assertThat(address.isSiteLocalAddress() || address.isLoopbackAddress())
                    .as(ip)
                    .isFalse();
        }
        // 100,000 hits of 5,000 visitors: about one address each (the generator's visitors)
        assertThat(addresses).hasSizeBetween(3_000, 5_000);
        assertThat(agents).hasSizeBetween(500, TrafficGenerator.REALISTIC_AGENTS + 5);
        assertThat(robots * 100.0 / hits).isBetween(1.0, 6.0);
        assertThat(TrafficGenerator.realisticAgents(new SplittableRandom(1)))
                .hasSize(TrafficGenerator.REALISTIC_AGENTS)
                .doesNotHaveDuplicates();
    }

    @Test
    void realisticSeedsShareTheAgentsButNotTheAddresses() throws Exception {
        List<JsonNode> seed5 = realisticHits(5, 20_000);
        List<JsonNode> seed6 = realisticHits(6, 20_000);
        Set<String> population =
                new HashSet<>(
                        TrafficGenerator.realisticAgents(
                                new SplittableRandom(TrafficGenerator.AGENT_POPULATION_SEED)));
        population.addAll(TrafficGenerator.ROBOTS);
        // a warm-up on another seed meets the same browsers (as a long-running job does) ...
        assertThat(population)
                .containsAll(values(seed5, "user_agent"))
                .containsAll(values(seed6, "user_agent"));
        // ... and other visitors, whose addresses the GeoIP cache has not seen
        Set<String> shared = values(seed5, "ip");
        shared.retainAll(values(seed6, "ip"));
        assertThat(shared.size()).isLessThan(values(seed5, "ip").size() / 100);
    }

    /** The generated lines of the realistic spread that are hits with an agent and an address. */
    private static List<JsonNode> realisticHits(long seed, long count) throws Exception {
        StringWriter out = new StringWriter();
        new TrafficGenerator(seed, SITES, START, TrafficGenerator.Spread.REALISTIC)
                .write(count, out);
        return parsed(out.toString()).stream()
                .filter(node -> node.has("user_agent") && node.has("ip"))
                .toList();
    }

    /** The generated lines that parse as JSON, in order (not the generator's malformed ones). */
    private static List<JsonNode> parsed(String lines) {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : lines.lines().toList()) {
            try {
                nodes.add(json.readTree(line));
            } catch (Exception e) {
                // MALFORMED_JSON lines
            }
        }
        return nodes;
    }

    private static Set<String> values(List<JsonNode> hits, String field) {
        Set<String> values = new HashSet<>();
        hits.forEach(h -> values.add(h.get(field).asText()));
        return values;
    }
}
