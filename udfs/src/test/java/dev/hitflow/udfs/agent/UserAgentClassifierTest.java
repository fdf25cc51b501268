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
}
