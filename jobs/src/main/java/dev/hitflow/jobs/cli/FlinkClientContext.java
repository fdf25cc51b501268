package dev.hitflow.jobs.cli;

import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Whether Flink's program runner is calling {@code main()}: it installs a context environment (a
 * {@link StreamContextEnvironment}) for the thread before it does, in the JobManager of an
 * application cluster, in a session cluster's jar-run handler and in the {@code flink run} client.
 * A plain {@code java} process, the launcher and tests get a local environment instead.
 */
final class FlinkClientContext {
    private FlinkClientContext() {}

    static boolean isActive() {
        return StreamExecutionEnvironment.getExecutionEnvironment()
                instanceof StreamContextEnvironment;
    }
}
