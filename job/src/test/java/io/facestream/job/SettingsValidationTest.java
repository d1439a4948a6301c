package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facestream.detect.DetectorSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsValidationTest {

    @Test
    void kafkaSettingsNameEveryProblem() {
        assertThatThrownBy(() -> KafkaSettings.builder().inputTopic("t").outputTopic("t")
                .transactionTimeout(Duration.ofMinutes(20)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--bootstrap-servers is required")
                .hasMessageContaining("--input-topic t must differ")
                .hasMessageContaining("transaction.max.timeout.ms");
    }

    @Test
    void theSinksBatchResultsUntilTheirTransactionCommitsUnlessTheProducerPropertiesSayOtherwise() {
        assertThat(KafkaConnectors.producerConfig(KafkaSettings.builder().bootstrapServers("broker:9092").build()))
                .containsEntry("linger.ms", "100").containsEntry("batch.size", "262144")
                .containsEntry("transaction.timeout.ms", "600000");
        assertThat(KafkaConnectors.producerConfig(KafkaSettings.builder().bootstrapServers("broker:9092")
                .producerProperties(Map.of("linger.ms", "0", "batch.size", "16384")).build()))
                .containsEntry("linger.ms", "0").containsEntry("batch.size", "16384");
    }

    @Test
    void theSourceFetchesSeveralImagesPerRequestUnlessTheConsumerPropertiesSayOtherwise() {
        assertThat(KafkaConnectors.consumerConfig(KafkaSettings.builder().bootstrapServers("broker:9092").build()))
                .containsEntry("max.partition.fetch.bytes", "4194304");
        assertThat(KafkaConnectors.consumerConfig(KafkaSettings.builder().bootstrapServers("broker:9092")
                .consumerProperties(Map.of("max.partition.fetch.bytes", "1048576")).build()))
                .containsEntry("max.partition.fetch.bytes", "1048576");
    }

    @Test
    void theSourceReadsOnlyCommittedRecordsUnlessTheConsumerPropertiesSayOtherwise() {
        assertThat(KafkaConnectors.consumerConfig(KafkaSettings.builder().bootstrapServers("broker:9092").build()))
                .containsEntry("isolation.level", "read_committed");
        assertThat(KafkaConnectors.consumerConfig(KafkaSettings.builder().bootstrapServers("broker:9092")
                .consumerProperties(Map.of("isolation.level", "read_uncommitted")).build()))
                .containsEntry("isolation.level", "read_uncommitted");
    }

    @Test
    void theKafkaConfigFileReachesEveryClientAndTheFlagsWinOverIt(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("client.properties"), """
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                linger.ms=7
                max.partition.fetch.bytes=1000
                """);
        KafkaSettings settings = KafkaSettings.builder().bootstrapServers("broker:9092").kafkaConfig(file.toString())
                .producerProperties(Map.of("linger.ms", "3")).build();
        assertThat(KafkaConnectors.consumerConfig(settings)).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsEntry("max.partition.fetch.bytes", "1000");
        assertThat(KafkaConnectors.producerConfig(settings)).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("linger.ms", "3");
        assertThat(settings.adminConfig()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("bootstrap.servers", "broker:9092");
    }

    @Test
    void anUnreadableKafkaConfigFileIsNamed() {
        assertThatThrownBy(() -> KafkaSettings.builder().bootstrapServers("broker:9092").kafkaConfig("/nonexistent/client.properties")
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--kafka-config /nonexistent/client.properties cannot be read")
                .hasMessageContaining("Kafka client properties file");
    }

    @Test
    void detectorSettingsRejectBadValues() {
        assertThatThrownBy(() -> DetectorSettings.builder().scoreThreshold(1.5f).modelPath(Path.of("/nonexistent.onnx")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("score-threshold 1.5")
                .hasMessageContaining("model /nonexistent.onnx: no such file")
                .as("detect/ names options by their keys, not by the command line's flags").hasMessageNotContaining("--");
    }

    @Test
    void detectionSettingsRejectBadValues() {
        assertThatThrownBy(() -> FaceDetectionSettings.builder().inferenceThreads(0).timeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--inference-threads 0")
                .hasMessageContaining("--timeout");
    }

    @Test
    void theSchemaRegistryIsAnHttpUrlAndItsIdsAreNeededBeforeTheSinksAreMade() {
        assertThatThrownBy(() -> KafkaSettings.builder().bootstrapServers("broker:9092").schemaRegistry("registry:8081").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--schema-registry registry:8081: must be the http:// or https:// URL");
        KafkaSettings framed = KafkaSettings.builder().bootstrapServers("broker:9092").schemaRegistry("http://registry:8081").build();
        assertThatThrownBy(() -> KafkaConnectors.resultSink(framed))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("StartupChecks.registerSchemas");
        KafkaSettings plain = KafkaSettings.builder().bootstrapServers("broker:9092").build();
        assertThatThrownBy(() -> plain.withRegisteredSchemas(new KafkaSettings.RegisteredSchemas(1, 2, 3, 4, 5)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void atLeastOnceWritesWithoutTransactionsToAllReplicasAndExactlyOnceKeepsItsTimeout() {
        Properties atLeastOnce = KafkaConnectors.producerConfig(KafkaSettings.builder().bootstrapServers("broker:9092")
                .deliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).build());
        assertThat(atLeastOnce).containsEntry("acks", "all").containsEntry("enable.idempotence", "true")
                .doesNotContainKeys("transactional.id", "transaction.timeout.ms")
                .as("no linger of its own: at-least-once results are read as soon as they are written").doesNotContainKey("linger.ms");

        Properties exactlyOnce = KafkaConnectors.producerConfig(KafkaSettings.builder().bootstrapServers("broker:9092").build());
        assertThat(exactlyOnce).containsEntry("transaction.timeout.ms", "600000").doesNotContainKey("acks");
        assertThat(KafkaSettings.builder().bootstrapServers("broker:9092").build().deliveryGuarantee())
                .as("the default").isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
    }

    @Test
    void theTransactionSettingsAreCheckedOnlyForExactlyOnce() {
        KafkaSettings.Builder noTransactions = KafkaSettings.builder().bootstrapServers("broker:9092")
                .transactionalIdPrefix("").transactionTimeout(Duration.ofMinutes(20));
        assertThatThrownBy(noTransactions::build)
                .hasMessageContaining("--transactional-id-prefix must not be empty")
                .hasMessageContaining("--transaction-timeout PT20M");
        assertThat(noTransactions.deliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).build().deliveryGuarantee())
                .isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
    }

    @Test
    void noGuaranteeAndAcksShortOfAllAreRefused() {
        assertThatThrownBy(() -> KafkaSettings.builder().bootstrapServers("broker:9092")
                .deliveryGuarantee(DeliveryGuarantee.NONE).build())
                .hasMessageContaining("--delivery-guarantee none: choose exactly-once or at-least-once");
        for (DeliveryGuarantee guarantee : new DeliveryGuarantee[] {DeliveryGuarantee.AT_LEAST_ONCE, DeliveryGuarantee.EXACTLY_ONCE}) {
            assertThatThrownBy(() -> KafkaSettings.builder().bootstrapServers("broker:9092").deliveryGuarantee(guarantee)
                    .producerProperties(Map.of("acks", "1")).build())
                    .as(guarantee.name())
                    .hasMessageContaining("--producer-property acks=1: must be all");
            assertThat(KafkaConnectors.producerConfig(KafkaSettings.builder().bootstrapServers("broker:9092").deliveryGuarantee(guarantee)
                    .producerProperties(Map.of("acks", "-1")).build())).containsEntry("acks", "-1");
        }
    }
}
