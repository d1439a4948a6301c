package io.facestream.cli;

import io.facestream.job.InputFormat;
import io.facestream.job.KafkaSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Command-line flags of the job's Kafka source and sinks. */
public class KafkaOptions {

    @Mixin
    TopicOptions topics = new TopicOptions();

    @Mixin
    DeliveryGuaranteeOption delivery = new DeliveryGuaranteeOption();

    @Option(names = "--input-format", paramLabel = "avro|raw", defaultValue = "avro",
            description = "avro: values are ImageEvent records; raw: values are image bytes, keys the event ids. Default: ${DEFAULT-VALUE}.")
    String inputFormat;

    @Option(names = "--group-id", paramLabel = "GROUP", defaultValue = "facestream", description = "Consumer group. Default: ${DEFAULT-VALUE}.")
    String groupId;

    @Option(names = "--starting-offsets", paramLabel = "earliest|latest|committed", defaultValue = "earliest",
            description = "Where a group without committed offsets starts: earliest, latest or committed (fail). Default: ${DEFAULT-VALUE}.")
    String startingOffsets;

    @Option(names = "--bounded", description = "Stop at the input's latest offsets as of the start (batch-style run). Default: off (run until cancelled).")
    boolean bounded;

    @Option(names = "--transactional-id-prefix", paramLabel = "PREFIX", defaultValue = "facestream",
            description = "Prefix of the exactly-once producers' transactional ids; unique per job on a cluster. Default: ${DEFAULT-VALUE}.")
    String transactionalIdPrefix;

    @Option(names = "--transaction-timeout", paramLabel = "DURATION", defaultValue = "10min", converter = DurationConverter.class,
            description = "Kafka transaction timeout (exactly-once); at most the brokers' transaction.max.timeout.ms (15min by default). Default: ${DEFAULT-VALUE}.")
    Duration transactionTimeout;

    @Option(names = "--schema-registry", paramLabel = "URL",
            description = "Confluent-compatible schema registry, e.g. http://registry:8081 or Apicurio's http://registry:8080/apis/ccompat/v6: "
                    + "results and dead letters are written in the Confluent wire format (schemas registered under <topic>-value) "
                    + "and Avro image events are read in it. Default: plain Avro, no registry.")
    String schemaRegistry;

    @Option(names = "--consumer-property", paramLabel = "KEY=VALUE", description = "Extra Kafka consumer property (repeatable); "
            + "the source's consumer otherwise uses max.partition.fetch.bytes=" + KafkaSettings.CONSUMER_PARTITION_FETCH_BYTES
            + ", several images per fetch. Default: none.")
    Map<String, String> consumerProperties = new LinkedHashMap<>();

    @Option(names = "--producer-property", paramLabel = "KEY=VALUE", description = "Extra Kafka producer property (repeatable); "
            + "the sinks' producers otherwise use batch.size=" + KafkaSettings.PRODUCER_BATCH_BYTES + ", and with exactly-once linger.ms="
            + KafkaSettings.PRODUCER_LINGER_MS + ", as results show only when a checkpoint commits them. Default: none.")
    Map<String, String> producerProperties = new LinkedHashMap<>();

    public KafkaSettings settings() {
        return KafkaSettings.builder()
                .bootstrapServers(topics.bootstrapServers)
                .inputTopic(topics.inputTopic)
                .outputTopic(topics.outputTopic)
                .deadLetterTopic(topics.deadLetterTopic)
                .inputFormat(Enums.parse(InputFormat.class, "--input-format", inputFormat))
                .groupId(groupId)
                .startingOffsets(Enums.parse(KafkaSettings.StartingOffsets.class, "--starting-offsets", startingOffsets))
                .bounded(bounded)
                .deliveryGuarantee(delivery.value())
                .transactionalIdPrefix(transactionalIdPrefix)
                .transactionTimeout(transactionTimeout)
                .consumerProperties(consumerProperties)
                .producerProperties(producerProperties)
                .schemaRegistry(schemaRegistry)
                .build();
    }
}
