package io.facestream.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.facestream.registry.RegistryAuth;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * Where the job reads and writes, declared once: the command line has a flag {@code --KEY} for
 * each (the tools that talk to the same brokers and topics share them), a {@code --config} file the key itself.
 */
public final class KafkaOptions {

    private KafkaOptions() {}

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = key("bootstrap-servers").stringType().noDefaultValue()
            .withDescription("Kafka brokers, e.g. localhost:9092 (comma-separated).");

    public static final ConfigOption<String> INPUT_TOPIC = key("input-topic").stringType().defaultValue("facestream.images")
            .withDescription("Image events: where the job reads them and produce sends them.");

    public static final ConfigOption<String> OUTPUT_TOPIC = key("output-topic").stringType().defaultValue("facestream.detections")
            .withDescription("Detection results (Avro).");

    public static final ConfigOption<String> TRACKS_TOPIC = key("tracks-topic").stringType().noDefaultValue()
            .withDescription("With --track: the topic for a FaceTrack summary of every confirmed track when it ends, "
                    + "keyed by source. Default: none, summaries are not written.");

    public static final ConfigOption<String> CROPS_TOPIC = key("crops-topic").stringType().noDefaultValue()
            .withDescription("The topic for an aligned crop of each face (FaceCrop, keyed by event id), written with the "
                    + "results. Default: none, no crops are made.");

    public static final ConfigOption<String> ANONYMIZED_TOPIC = key("anonymized-topic").stringType().noDefaultValue()
            .withDescription("The topic for each image with every face covered, encoded anew with no metadata, keyed by "
                    + "event id, in the input's format (an ImageEvent, or with raw input the image with a content-type "
                    + "header); written with the results, never for an image that failed. Default: none.");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC = key("dead-letter-topic").stringType()
            .defaultValue("facestream.dead-letters")
            .withDescription("Dead letters (Avro).");

    public static final ConfigOption<InputFormat> INPUT_FORMAT = key("input-format").enumType(InputFormat.class)
            .defaultValue(InputFormat.AVRO)
            .withDescription("avro: values are ImageEvent records; raw: values are image bytes, keys the event ids "
                    + "(the job and produce must use the same).");

    public static final ConfigOption<String> GROUP_ID = key("group-id").stringType().defaultValue("facestream")
            .withDescription("Consumer group.");

    public static final ConfigOption<KafkaSettings.StartingOffsets> STARTING_OFFSETS = key("starting-offsets")
            .enumType(KafkaSettings.StartingOffsets.class).defaultValue(KafkaSettings.StartingOffsets.EARLIEST)
            .withDescription("Where a group without committed offsets starts: earliest, latest or committed (fail).");

    public static final ConfigOption<Boolean> BOUNDED = key("bounded").booleanType().defaultValue(false)
            .withDescription("Stop at the input's latest offsets as of the start (batch-style run); off: run until cancelled.");

    public static final ConfigOption<DeliveryGuarantee> DELIVERY_GUARANTEE = key("delivery-guarantee")
            .enumType(DeliveryGuarantee.class).defaultValue(DeliveryGuarantee.EXACTLY_ONCE)
            .withDescription("exactly-once: results and dead letters become visible to read_committed consumers when the "
                    + "checkpoint that commits them completes; at-least-once: each is written as soon as it is ready, and a "
                    + "restart may write again those since the last checkpoint (same key, the event id: consumers drop the duplicates).");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = key("transactional-id-prefix").stringType()
            .defaultValue("facestream")
            .withDescription("Prefix of the exactly-once producers' transactional ids; unique per job on a cluster.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = key("transaction-timeout").durationType()
            .defaultValue(Duration.ofMinutes(10))
            .withDescription("Kafka transaction timeout (exactly-once); at most the brokers' transaction.max.timeout.ms "
                    + "(15min by default).");

    public static final ConfigOption<String> SCHEMA_REGISTRY = key("schema-registry").stringType().noDefaultValue()
            .withDescription("Confluent-compatible schema registry, e.g. http://registry:8081 or Apicurio's "
                    + "http://registry:8080/apis/ccompat/v6: results and dead letters are written in the Confluent wire format "
                    + "(schemas registered under <topic>-value) and Avro image events are read in it. Default: plain Avro, no registry.");

    public static final ConfigOption<RegistryAuth> SCHEMA_REGISTRY_AUTH = key("schema-registry-auth")
            .enumType(RegistryAuth.class).defaultValue(RegistryAuth.NONE)
            .withDescription("How the job proves who it is to the schema registry: none, basic (HTTP basic "
                    + "authentication) or bearer (a token), with the secret from --schema-registry-credentials.");

    public static final ConfigOption<String> SCHEMA_REGISTRY_CREDENTIALS = key("schema-registry-credentials").stringType()
            .noDefaultValue()
            .withDescription("Where the registry's secret is, never the secret: file:PATH or env:NAME, holding USER:PASSWORD "
                    + "for basic, the token for bearer. Read where the job runs (the client and every TaskManager), "
                    + "never logged. Default: none.");

    public static final ConfigOption<String> SCHEMA_REGISTRY_TRUSTSTORE = key("schema-registry-truststore").stringType()
            .noDefaultValue()
            .withDescription("The certificates to trust for an https registry: a PEM file (a CA or the registry's own "
                    + "certificate) or a PKCS12 or JKS trust store, on the client and every TaskManager. Default: the JDK's CAs.");

    public static final ConfigOption<String> SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD = key("schema-registry-truststore-password")
            .stringType().noDefaultValue()
            .withDescription("Where the trust store's password is: file:PATH or env:NAME. Default: none (a PEM file "
                    + "needs none).");

    public static final ConfigOption<String> KAFKA_CONFIG = key("kafka-config").stringType().noDefaultValue()
            .withDescription("A Kafka client properties file (e.g. security.protocol=SASL_SSL, sasl.mechanism, "
                    + "sasl.jaas.config, ssl.truststore.location) for every Kafka client: the job's consumer and producers, "
                    + "the startup check and the tools; --consumer-property and --producer-property win over it. Its trust "
                    + "and key stores must be at the same paths on the client and every TaskManager. Never logged. "
                    + "Default: none (plaintext, no authentication).");

    public static final ConfigOption<Map<String, String>> CONSUMER_PROPERTIES = key("consumer-property").mapType().noDefaultValue()
            .withDescription("Extra Kafka consumer property (repeatable); the source's consumer otherwise uses "
                    + "isolation.level=read_committed (an upstream's aborted transactions are not images) and max.partition.fetch.bytes=" + KafkaConnectors.CONSUMER_PARTITION_FETCH_BYTES + ", several images per fetch. "
                    + "Default: none.");

    public static final ConfigOption<Map<String, String>> PRODUCER_PROPERTIES = key("producer-property").mapType().noDefaultValue()
            .withDescription("Extra Kafka producer property (repeatable); the sinks' producers otherwise use batch.size="
                    + KafkaConnectors.PRODUCER_BATCH_BYTES + ", and with exactly-once linger.ms=" + KafkaConnectors.PRODUCER_LINGER_MS
                    + ", as results show only when a checkpoint commits them. Default: none.");

    /** Every option of {@link KafkaSettings}. */
    public static final List<ConfigOption<?>> ALL = List.of(BOOTSTRAP_SERVERS, INPUT_TOPIC, OUTPUT_TOPIC, DEAD_LETTER_TOPIC,
            TRACKS_TOPIC, CROPS_TOPIC, ANONYMIZED_TOPIC, INPUT_FORMAT, GROUP_ID, STARTING_OFFSETS, BOUNDED, DELIVERY_GUARANTEE, TRANSACTIONAL_ID_PREFIX,
            TRANSACTION_TIMEOUT, SCHEMA_REGISTRY, SCHEMA_REGISTRY_AUTH, SCHEMA_REGISTRY_CREDENTIALS, SCHEMA_REGISTRY_TRUSTSTORE,
            SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD, KAFKA_CONFIG, CONSUMER_PROPERTIES, PRODUCER_PROPERTIES);
}
