package io.facestream.job;

import io.facestream.detect.DetectorSettings;
import io.facestream.detect.FaceDetector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Checks made before a job is submitted, so that a wrong model or Kafka setting stops it with
 * one message naming the problem and the fix instead of failing inside running tasks.
 */
public final class StartupChecks {

    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(15);

    private StartupChecks() {}

    /** Loads the model and runs it once on a blank image: the file, its layout and description must fit. */
    public static void checkModel(DetectorSettings settings) {
        String model = settings.modelPath() == null ? "the default model" : "--model " + settings.modelPath();
        try (FaceDetector detector = FaceDetector.load(settings)) {
            detector.selfTest();
        } catch (Exception e) {
            throw new IllegalArgumentException(model + " (model type " + settings.model().name + ") cannot be used: "
                    + e.getMessage() + "\nGive the path of a RetinaFace .onnx export and its --model-type or --model-config.", e);
        }
    }

    /** The brokers answer and the input, output and dead-letter topics exist. */
    public static void checkKafka(KafkaSettings kafka) {
        checkKafka(kafka, KAFKA_TIMEOUT);
    }

    static void checkKafka(KafkaSettings kafka, Duration timeout) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis()))) {
            Set<String> existing;
            try {
                existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                throw new IllegalArgumentException("Kafka at --bootstrap-servers " + kafka.bootstrapServers()
                        + " did not answer within " + timeout.toSeconds() + " s (" + rootMessage(e)
                        + "). Check the address and that the brokers are running and reachable from here.", e);
            }
            List<String> missing = new ArrayList<>();
            for (String topic : List.of(kafka.inputTopic(), kafka.outputTopic(), kafka.deadLetterTopic())) {
                if (!existing.contains(topic)) {
                    missing.add(topic);
                }
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("Topic(s) " + missing + " do not exist on " + kafka.bootstrapServers()
                        + ". Create them (kafka-topics.sh --create --topic NAME --partitions N), or fix --input-topic, "
                        + "--output-topic and --dead-letter-topic.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
