package dev.hitflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hitflow.schemas.config.ConfigException;
import java.nio.file.Path;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.DefaultExecutorServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When Flink's program runner calls {@code main()} (in the JobManager, or a session cluster's
 * jar-run handler), the command must not exit the JVM: it returns, or throws to Flink.
 */
class FlinkEntryPointTest {
    @TempDir Path dir;

    @Test
    void aPlainProcessIsNotFlinksProgramRunner() {
        assertThat(FlinkClientContext.isActive()).isFalse();
    }

    @Test
    void flinksContextEnvironmentIsRecognised() {
        StreamContextEnvironment.setAsContext(
                new DefaultExecutorServiceLoader(),
                new Configuration(),
                getClass().getClassLoader(),
                true,
                false);
        try {
            assertThat(FlinkClientContext.isActive()).isTrue();
        } finally {
            StreamContextEnvironment.unsetAsContext();
        }
        assertThat(FlinkClientContext.isActive()).isFalse();
    }

    @Test
    void insideFlinkASuccessfulCommandReturns() throws Exception {
        HitflowCommand.runInsideFlink(new String[] {"--version"});
    }

    @Test
    void insideFlinkABadCommandLineFailsTheSubmissionWithTheUsageProblem() {
        assertThatThrownBy(() -> HitflowCommand.runInsideFlink(new String[] {"stream", "--nope"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exited with code 2")
                .hasMessageContaining("Missing required options");
    }

    @Test
    void insideFlinkAConfigProblemReachesFlinkAsItIs() {
        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(
                        () ->
                                HitflowCommand.runInsideFlink(
                                        new String[] {
                                            "stream",
                                            "--tenants",
                                            missing.toString(),
                                            "--catalog-properties",
                                            dir.resolve("c.properties").toString(),
                                            "--bootstrap-servers",
                                            "127.0.0.1:1"
                                        }))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing.yaml");
    }
}
