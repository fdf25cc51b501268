package dev.hitflow.jobs.bench;

import dev.hitflow.jobs.ingest.IngestFunction;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * How many hits the ingest functions of a job on this JVM's mini cluster have accepted so far: a
 * Flink metric reporter that keeps their {@code hits_accepted} counters, so the bench follows a
 * job's progress without an operator of its own in the job graph. Enabled by {@link #enable} (the
 * factory is registered in the test resources' META-INF/services).
 */
public final class IngestProgress {
    private static final Map<String, Counter> COUNTERS = new ConcurrentHashMap<>();

    private IngestProgress() {}

    /** Reports to this class from the jobs of an environment built on {@code conf}. */
    public static void enable(Configuration conf) {
        conf.setString("metrics.reporter.stream_bench.factory.class", Factory.class.getName());
    }

    /** Forgets the counters of earlier jobs. */
    public static void reset() {
        COUNTERS.clear();
    }

    /** Hits accepted by every ingest subtask so far (a finished subtask keeps its count). */
    public static long accepted() {
        long sum = 0;
        for (Counter counter : COUNTERS.values()) {
            sum += counter.getCount();
        }
        return sum;
    }

    /** The reporter: keeps the accepted-hits counters; reports nothing anywhere. */
    public static final class Reporter implements MetricReporter {
        @Override
        public void open(MetricConfig config) {}

        @Override
        public void close() {}

        @Override
        public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
            if (metric instanceof Counter counter && name.equals(IngestFunction.ACCEPTED_COUNTER)) {
                COUNTERS.put(group.getMetricIdentifier(name), counter);
            }
        }

        @Override
        public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
            // kept: the final count stays readable after the subtask finished
        }
    }

    /** Found by Flink through java.util.ServiceLoader (META-INF/services in test resources). */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new Reporter();
        }
    }
}
