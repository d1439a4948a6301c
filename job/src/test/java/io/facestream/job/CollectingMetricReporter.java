package io.facestream.job;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.metrics.CharacterFilter;
import org.apache.flink.metrics.LogicalScopeProvider;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter for the tests' MiniCluster: keeps FaceStream's own metrics (those in the
 * {@value DetectionMetrics#GROUP} group) under the name and labels Flink's Prometheus reporter
 * gives them, also after their job has ended, so a test can read a finished job's final values.
 * Flink's own metrics are not kept: their gauges would hold on to every finished task.
 */
public class CollectingMetricReporter implements MetricReporter {

    /** One registered metric as Prometheus would show it: name, labels (without Flink's angle brackets), metric. */
    public record Registered(String prometheusName, Map<String, String> labels, Metric metric) {}

    private static final List<Registered> METRICS = new CopyOnWriteArrayList<>();

    /** The metrics of the job named {@code jobName} with this Prometheus name, one per subtask (and label set). */
    public static List<Registered> ofJob(String jobName, String prometheusName) {
        return METRICS.stream()
                .filter(m -> jobName.equals(m.labels().get("job_name")) && prometheusName.equals(m.prometheusName()))
                .toList();
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        if (!Arrays.asList(group.getScopeComponents()).contains(DetectionMetrics.GROUP)) {
            return;
        }
        // As Flink's Prometheus reporter names metrics: "flink_", the logical scope joined by '_', the name.
        // Its character filter changes nothing in FaceStream's names, so none is applied here.
        String logicalScope = LogicalScopeProvider.castFrom(group).getLogicalScope(CharacterFilter.NO_OP_FILTER, '_');
        Map<String, String> labels = new HashMap<>();
        group.getAllVariables().forEach((key, value) -> labels.put(key.substring(1, key.length() - 1), value));
        METRICS.add(new Registered("flink_" + logicalScope + "_" + metricName, Map.copyOf(labels), metric));
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        // Kept on purpose: tests read the final values after the job has finished.
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    /** Named in META-INF/services, where Flink looks for reporter factories. */
    public static class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new CollectingMetricReporter();
        }
    }
}
