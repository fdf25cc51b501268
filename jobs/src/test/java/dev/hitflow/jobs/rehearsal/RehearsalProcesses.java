package dev.hitflow.jobs.rehearsal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The processes the rehearsal starts, each with its output in a log file. Every PID goes to a file
 * as well, so that deploy/rehearsal/run's trap can end them should this JVM itself be killed.
 */
final class RehearsalProcesses implements AutoCloseable {
    private final Path pidFile;
    private final List<Process> started = new ArrayList<>();

    RehearsalProcesses(Path pidFile) {
        this.pidFile = pidFile;
    }

    synchronized Process start(
            List<String> command, Path workingDir, Path log, Map<String, String> environment)
            throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(workingDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        started.add(process);
        Files.writeString(
                pidFile,
                process.pid() + "\n",
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        return process;
    }

    /** SIGKILL, what {@code kill -9} sends: no shutdown hook, no flush, no goodbye to the JM. */
    static void kill9(Process process) throws Exception {
        new ProcessBuilder("kill", "-9", Long.toString(process.pid()))
                .inheritIO()
                .start()
                .waitFor();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void close() {
        for (Process p : started) {
            p.toHandle().descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : started) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
