package dev.hitflow.udfs.agent;

import dev.hitflow.udfs.cache.ResultCache;
import java.util.Set;
import nl.basjes.parse.useragent.UserAgent;
import nl.basjes.parse.useragent.UserAgentAnalyzer;

/**
 * User agents classified by YAUAA, asking only for the fields Hitflow keeps (a lighter analyzer).
 * Thread-safe: YAUAA's {@code parse} is synchronized, and a concurrent cache of results in front of
 * it answers repeated agents without taking that lock (or building YAUAA's per-call objects). The
 * analyzer takes seconds and ~100+ MiB to build, so operators use {@link #shared()}, one per JVM,
 * from {@code open()}: every subtask of a task manager then parses each distinct agent once.
 */
public final class UserAgentClassifier {
    /** Distinct agents remembered (see {@link ResultCache}). */
    public static final int DEFAULT_CACHE_SIZE = 50_000;

    private static volatile UserAgentClassifier shared;

    private static final String DEVICE_CLASS = UserAgent.DEVICE_CLASS;
    private static final String OS_NAME = UserAgent.OPERATING_SYSTEM_NAME;
    private static final String OS_VERSION = UserAgent.OPERATING_SYSTEM_VERSION_MAJOR;
    private static final String AGENT_NAME = UserAgent.AGENT_NAME;
    private static final String AGENT_VERSION = UserAgent.AGENT_VERSION_MAJOR;
    private static final String AGENT_CLASS = UserAgent.AGENT_CLASS;

    /** Device classes YAUAA gives to robots, crawlers and other non-humans. */
    static final Set<String> ROBOT_DEVICE_CLASSES =
            Set.of("Robot", "Robot Mobile", "Robot Imitator", "Spy", "Hacker");

    static final Set<String> ROBOT_AGENT_CLASSES =
            Set.of("Robot", "Robot Mobile", "Cloud Application", "Special", "Hacker");

    private final UserAgentAnalyzer analyzer;
    private final ResultCache<String, AgentInfo> cache;

    public UserAgentClassifier() {
        this(DEFAULT_CACHE_SIZE);
    }

    public UserAgentClassifier(int cacheSize) {
        this.cache = new ResultCache<>(cacheSize);
        this.analyzer =
                UserAgentAnalyzer.newBuilder()
                        .withFields(
                                DEVICE_CLASS,
                                OS_NAME,
                                OS_VERSION,
                                AGENT_NAME,
                                AGENT_VERSION,
                                AGENT_CLASS)
                        .withoutCache()
                        .hideMatcherLoadStats()
                        .dropTests()
                        .immediateInitialization()
                        .build();
    }

    /** The JVM's classifier, built on first use (callers must not assume who built it). */
    public static UserAgentClassifier shared() {
        UserAgentClassifier c = shared;
        if (c == null) {
            synchronized (UserAgentClassifier.class) {
                if (shared == null) {
                    shared = new UserAgentClassifier();
                }
                c = shared;
            }
        }
        return c;
    }

    public AgentInfo classify(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return AgentInfo.UNKNOWN;
        }
        AgentInfo known = cache.get(userAgent);
        if (known != null) {
            return known;
        }
        AgentInfo parsed = parse(userAgent);
        cache.put(userAgent, parsed);
        return parsed;
    }

    private AgentInfo parse(String userAgent) {
        UserAgent parsed = analyzer.parse(userAgent);
        String deviceClass = known(parsed.getValue(DEVICE_CLASS));
        String agentClass = parsed.getValue(AGENT_CLASS);
        boolean bot =
                (deviceClass != null && ROBOT_DEVICE_CLASSES.contains(deviceClass))
                        || ROBOT_AGENT_CLASSES.contains(agentClass);
        return new AgentInfo(
                deviceClass,
                known(parsed.getValue(OS_NAME)),
                known(parsed.getValue(OS_VERSION)),
                known(parsed.getValue(AGENT_NAME)),
                known(parsed.getValue(AGENT_VERSION)),
                bot);
    }

    /** YAUAA's placeholders for "could not tell" become null. */
    static String known(String value) {
        if (value == null
                || value.isEmpty()
                || value.equals("Unknown")
                || value.equals("??")
                || value.startsWith("Unknown ")) {
            return null;
        }
        return value;
    }
}
