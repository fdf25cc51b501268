package dev.hitflow.udfs.sql;

import dev.hitflow.udfs.agent.AgentInfo;
import dev.hitflow.udfs.agent.UserAgentClassifier;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;

/** Base of the user-agent functions: one field of what YAUAA says. */
public abstract class AgentFunction extends ScalarFunction {
    private transient UserAgentClassifier agents;

    /** The field this function returns. */
    protected abstract String field(AgentInfo agent);

    @Override
    public void open(FunctionContext context) {
        agents = SharedEnrichers.agents();
    }

    public String eval(String userAgent) {
        return field(agents.classify(userAgent));
    }

    /** {@code hitflow_ua_device_class(ua)}. */
    public static class DeviceClass extends AgentFunction {
        @Override
        protected String field(AgentInfo agent) {
            return agent.deviceClass();
        }
    }

    /** {@code hitflow_ua_os_name(ua)}. */
    public static class OsName extends AgentFunction {
        @Override
        protected String field(AgentInfo agent) {
            return agent.osName();
        }
    }

    /** {@code hitflow_ua_agent_name(ua)}. */
    public static class AgentName extends AgentFunction {
        @Override
        protected String field(AgentInfo agent) {
            return agent.agentName();
        }
    }

    /** {@code hitflow_ua_is_bot(ua)}: 'true' or 'false'. */
    public static class IsBot extends AgentFunction {
        @Override
        protected String field(AgentInfo agent) {
            return Boolean.toString(agent.bot());
        }
    }
}
