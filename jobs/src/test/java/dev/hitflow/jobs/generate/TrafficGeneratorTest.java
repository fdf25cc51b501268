package dev.hitflow.jobs.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        ObjectMapper json = new ObjectMapper();
        long maxSeen = Long.MIN_VALUE;
        long worstDisorder = 0;
        Set<String> consents = new HashSet<>();
        int cookieless = 0;
        int valid = 0;
        for (String line : lines) {
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (Exception e) {
                continue;
            }
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
        StringWriter out = new StringWriter();
        new TrafficGenerator(5, SITES, START, TrafficGenerator.Spread.REALISTIC)
                .write(100_000, out);
        ObjectMapper json = new ObjectMapper();
        Set<String> addresses = new HashSet<>();
        Set<String> agents = new HashSet<>();
        int hits = 0;
        int robots = 0;
        for (String line : out.toString().lines().toList()) {
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (Exception e) {
                continue;
            }
            if (!node.has("user_agent")) {
                continue;
            }
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
        assertThat(TrafficGenerator.realisticAgents(new java.util.SplittableRandom(1)))
                .hasSize(TrafficGenerator.REALISTIC_AGENTS)
                .doesNotHaveDuplicates();
    }

    @Test
    void realisticSeedsShareTheAgentsButNotTheAddresses() throws Exception {
        Set<String> agents5 = new HashSet<>();
        Set<String> addresses5 = new HashSet<>();
        Set<String> agents6 = new HashSet<>();
        Set<String> addresses6 = new HashSet<>();
        readRealistic(5, agents5, addresses5);
        readRealistic(6, agents6, addresses6);
        Set<String> allAgents =
                Set.copyOf(
                        TrafficGenerator.realisticAgents(new java.util.SplittableRandom(0x5eed)));
        allAgents = new HashSet<>(allAgents);
        allAgents.addAll(TrafficGenerator.ROBOTS);
        // a warm-up on another seed meets the same browsers (as a long-running job does) ...
        assertThat(allAgents).containsAll(agents5).containsAll(agents6);
        // ... and other visitors, whose addresses the GeoIP cache has not seen
        Set<String> shared = new HashSet<>(addresses5);
        shared.retainAll(addresses6);
        assertThat(shared.size()).isLessThan(addresses5.size() / 100);
    }

    private static void readRealistic(long seed, Set<String> agents, Set<String> addresses)
            throws Exception {
        StringWriter out = new StringWriter();
        new TrafficGenerator(seed, SITES, START, TrafficGenerator.Spread.REALISTIC)
                .write(20_000, out);
        ObjectMapper json = new ObjectMapper();
        for (String line : out.toString().lines().toList()) {
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (Exception e) {
                continue;
            }
            if (node.has("user_agent") && node.has("ip")) {
                agents.add(node.get("user_agent").asText());
                addresses.add(node.get("ip").asText());
            }
        }
    }
}
