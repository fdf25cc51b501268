package dev.hitflow.udfs.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UserAgentClassifierTest {
    static UserAgentClassifier agents;

    @BeforeAll
    static void build() {
        agents = new UserAgentClassifier(100);
    }

    @Test
    void classifiesBrowsersToTheFieldsWeKeep() {
        assertThat(
                        agents.classify(
                                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML,"
                                        + " like Gecko) Chrome/124.0.0.0 Safari/537.36"))
                // "Windows NT 10.0" is both Windows 10 and 11: YAUAA says "??", we keep null
                .isEqualTo(new AgentInfo("Desktop", "Windows NT", null, "Chrome", "124", false));
        assertThat(
                        agents.classify(
                                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)"
                                        + " AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4"
                                        + " Mobile/15E148 Safari/604.1"))
                .isEqualTo(new AgentInfo("Phone", "iOS", "17", "Safari", "17", false));
    }

    @Test
    void flagsRobots() {
        AgentInfo bot =
                agents.classify(
                        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
        assertThat(bot.bot()).isTrue();
        assertThat(bot.deviceClass()).isEqualTo("Robot");
        assertThat(bot.agentName()).isEqualTo("Googlebot");
    }

    @Test
    void nothingToClassifyIsUnknown() {
        assertThat(agents.classify(null)).isEqualTo(AgentInfo.UNKNOWN);
        assertThat(agents.classify("  ")).isEqualTo(AgentInfo.UNKNOWN);
    }

    /**
     * Two threads classifying the same agents, past the cache's size (so it is cleared while they
     * run), get what one fresh analyzer gives for each.
     */
    @Test
    void sharedByThreadsAndPastItsCacheTheAnswersStayTheSame() throws Exception {
        java.util.List<String> agentsSeen = new java.util.ArrayList<>();
        for (int major = 100; major < 175; major++) {
            agentsSeen.add(
                    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like"
                            + " Gecko) Chrome/"
                            + major
                            + ".0.0.0 Safari/537.36");
            agentsSeen.add(
                    "Mozilla/5.0 (X11; Linux x86_64; rv:"
                            + major
                            + ".0) Gecko/20100101 Firefox/"
                            + major
                            + ".0");
        }
        java.util.Map<String, AgentInfo> expected = new java.util.HashMap<>();
        UserAgentClassifier reference = new UserAgentClassifier(10_000);
        for (String a : agentsSeen) {
            expected.put(a, reference.classify(a));
        }
        assertThat(expected.get(agentsSeen.get(0)).agentVersion()).isEqualTo("100");
        java.util.concurrent.ExecutorService pool =
                java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.List<java.util.concurrent.Future<java.util.Map<String, AgentInfo>>> runs =
                    new java.util.ArrayList<>();
            for (int t = 0; t < 2; t++) {
                runs.add(
                        pool.submit(
                                () -> {
                                    java.util.Map<String, AgentInfo> got =
                                            new java.util.HashMap<>();
                                    for (int round = 0; round < 2; round++) {
                                        for (String a : agentsSeen) {
                                            got.put(a + "#" + round, agents.classify(a));
                                        }
                                    }
                                    return got;
                                }));
            }
            for (var run : runs) {
                run.get()
                        .forEach(
                                (k, v) ->
                                        assertThat(v)
                                                .as(k)
                                                .isEqualTo(
                                                        expected.get(
                                                                k.substring(0, k.indexOf('#')))));
            }
        } finally {
            pool.shutdown();
        }
    }
}
