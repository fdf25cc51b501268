package dev.hitflow.udfs.agent;

/**
 * What Hitflow keeps of a user agent: device class, OS name and version, agent name and major
 * version, and whether it is a robot. Unknown values are null. The raw string is not kept.
 */
public record AgentInfo(
        String deviceClass,
        String osName,
        String osVersion,
        String agentName,
        String agentVersion,
        boolean bot) {
    public static final AgentInfo UNKNOWN = new AgentInfo(null, null, null, null, null, false);
}
